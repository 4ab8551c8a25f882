//! The core's log records, through Python's `logging` (logger `banata_auth`).
//!
//! Warnings and errors by default (a publishable Stripe key, an add-on enabled without
//! credentials, a full event queue); `BANATA_LOG=info` or `debug` asks for more. The core never
//! puts secrets in its records, so nothing is filtered here.

use std::fmt::Write as _;

use pyo3::prelude::*;
use tracing::field::{Field, Visit};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::layer::{Context, Layer, SubscriberExt};
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, Registry};

use crate::runtime;

/// Installs the bridge once per process; a host that installed its own subscriber keeps it.
pub(crate) fn install() {
    let filter = EnvFilter::try_from_env("BANATA_LOG").unwrap_or_else(|_| EnvFilter::new("warn"));
    let _ = Registry::default()
        .with(filter)
        .with(PythonLogging)
        .try_init();
}

struct PythonLogging;

impl<S: Subscriber> Layer<S> for PythonLogging {
    fn on_event(&self, event: &Event<'_>, _: Context<'_, S>) {
        let level = match *event.metadata().level() {
            Level::ERROR => 40,
            Level::WARN => 30,
            Level::INFO => 20,
            Level::DEBUG => 10,
            Level::TRACE => 5,
        };
        let mut text = Text::default();
        event.record(&mut text);
        let message = text.finish();
        runtime::call_python(|py| {
            let logged = py
                .import("logging")
                .and_then(|logging| logging.getattr("getLogger")?.call1(("banata_auth",)))
                .and_then(|logger| logger.call_method1("log", (level, message)));
            if let Err(error) = logged {
                error.print(py);
            }
        });
    }
}

/// `message key=value …`, the way the core's records read.
#[derive(Default)]
struct Text {
    message: String,
    fields: String,
}

impl Text {
    fn finish(self) -> String {
        if self.fields.is_empty() {
            self.message
        } else {
            format!("{} ({})", self.message, self.fields.trim_start())
        }
    }
}

impl Visit for Text {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == "message" {
            let _ = write!(self.message, "{value:?}");
        } else {
            let _ = write!(self.fields, " {}={value:?}", field.name());
        }
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            self.message.push_str(value);
        } else {
            let _ = write!(self.fields, " {}={value}", field.name());
        }
    }
}
