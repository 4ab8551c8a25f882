//! What each add-on service defines: its limits, how events map to its messages, and how a
//! batch becomes a request.

use std::collections::VecDeque;

use super::message::{Facts, Message};

/// A service's batching limits.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Limits {
    pub max_messages: usize,
    pub max_bytes: usize,
    /// Whether request bodies are gzip-compressed (when the forwarding config asks for it).
    pub gzip: bool,
}

/// Messages sent together in one request.
#[derive(Clone, Debug)]
pub(crate) struct Batch {
    pub group: Option<String>,
    pub messages: Vec<Message>,
}

impl Batch {
    /// The batch halved, for a 413; `None` when it holds a single message.
    pub fn split(self) -> Option<(Batch, Batch)> {
        if self.messages.len() < 2 {
            return None;
        }
        let mut first = self.messages;
        let second = first.split_off(first.len() / 2);
        Some((
            Batch {
                group: self.group.clone(),
                messages: first,
            },
            Batch {
                group: self.group,
                messages: second,
            },
        ))
    }
}

pub(crate) trait Service: Send + Sync {
    fn limits(&self) -> Limits;
    /// The service's messages for an auth moment (none when it does not care).
    fn map(&self, facts: &Facts) -> Vec<Message>;
    /// The HTTP request for a batch.
    fn request(&self, http: &reqwest::Client, batch: &Batch) -> reqwest::RequestBuilder;
    /// Whether only messages of one group may share a request.
    fn batch_key(&self) -> bool {
        false
    }
    /// Whether this answer should be retried, when the service says so explicitly.
    fn should_retry(&self, _response: &reqwest::Response) -> Option<bool> {
        None
    }

    /// Takes the next batch off the front of `queue`, within the limits.
    fn next_batch(&self, queue: &mut VecDeque<Message>) -> Option<Batch> {
        let first = queue.pop_front()?;
        let limits = self.limits();
        let group = first.group.clone();
        let mut bytes = first.size;
        let mut messages = vec![first];
        while messages.len() < limits.max_messages {
            let Some(next) = queue.front() else { break };
            if bytes + next.size + 1 > limits.max_bytes {
                break;
            }
            if self.batch_key() && next.group != group {
                break;
            }
            bytes += next.size + 1;
            messages.push(queue.pop_front().expect("front exists"));
        }
        Some(Batch { group, messages })
    }
}
