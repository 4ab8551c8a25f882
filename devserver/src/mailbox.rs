//! The dev mailbox: every mail the platform would send (verification links, password resets)
//! lands here instead, readable at `GET /__dev/mailbox?to=` with the admin key.

use std::sync::Mutex;

use serde::Serialize;

/// Mails kept at most; the oldest go first.
const CAPACITY: usize = 1_000;

/// One mail that would have been sent.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Mail {
    /// The recipient, as given.
    pub to: String,
    /// What it is: `verification`, `password-reset`, …, as the platform's e-mail templates name them.
    pub kind: &'static str,
    /// The subject line.
    pub subject: String,
    /// The link in the mail.
    pub url: String,
    /// The token the link carries.
    pub token: String,
    /// Epoch milliseconds.
    pub sent_at: i64,
}

/// Every mail the server would have sent, newest last (at most a thousand).
#[derive(Default)]
pub struct Mailbox {
    mails: Mutex<Vec<Mail>>,
}

impl Mailbox {
    /// Keeps a mail instead of sending it.
    pub fn deliver(&self, mail: Mail) {
        tracing::info!(to = %mail.to, kind = mail.kind, "mail kept in the dev mailbox");
        let mut mails = self.mails.lock().unwrap_or_else(|p| p.into_inner());
        if mails.len() >= CAPACITY {
            mails.remove(0);
        }
        mails.push(mail);
    }

    /// The mails to `to` (compared without case), oldest first; all of them for `None`.
    pub fn to(&self, to: Option<&str>) -> Vec<Mail> {
        let mails = self.mails.lock().unwrap_or_else(|p| p.into_inner());
        mails
            .iter()
            .filter(|m| to.is_none_or(|to| m.to.eq_ignore_ascii_case(to)))
            .cloned()
            .collect()
    }
}
