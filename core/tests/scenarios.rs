//! Runs the shared scenarios (`tests/scenarios/*.json`, see its README) through the Rust client
//! against the devserver: one trial per scenario, named as in the other languages' suites.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use banata_auth::{Client, EventFilter};
use banata_devserver::{DevServer, DevServerConfig, DevServerHandle};
use libtest_mimic::{Arguments, Failed, Trial};
use serde_json::Value;

const PASSWORD: &str = "correct horse battery staple";

fn main() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/scenarios");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("tests/scenarios exists")
        .map(|e| e.expect("readable").path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    let runtime = Arc::new(tokio::runtime::Runtime::new().expect("a runtime"));
    let trials = files
        .into_iter()
        .map(|file| {
            let scenario: Value =
                serde_json::from_str(&std::fs::read_to_string(&file).expect("readable"))
                    .expect("a scenario is JSON");
            let name = scenario["name"].as_str().expect("a name").to_owned();
            let runtime = Arc::clone(&runtime);
            // A devserver each: trials run in parallel, and faults are scripted per server.
            Trial::test(name, move || {
                runtime.block_on(async {
                    // Sign-up signs in on these servers; e-mail verification has its own suite.
                    let server = DevServer::start(DevServerConfig {
                        require_email_verification: false,
                        email_otp: true,
                        magic_link: true,
                        ..Default::default()
                    })
                    .await?;
                    run(&server, &scenario).await
                })
            })
        })
        .collect();
    libtest_mimic::run(&Arguments::from_args(), trials).exit();
}

struct Run<'a> {
    server: &'a DevServerHandle,
    vars: HashMap<String, Value>,
}

impl Run<'_> {
    /// Substitutes `{name}` in every string of `value`.
    fn fill(&self, value: &Value) -> Value {
        match value {
            Value::String(s) => {
                if let Some(name) = s.strip_prefix('{').and_then(|r| r.strip_suffix('}'))
                    && let Some(v) = self.vars.get(name)
                {
                    return v.clone();
                }
                let mut out = s.clone();
                for (name, v) in &self.vars {
                    if let Value::String(text) = v {
                        out = out.replace(&format!("{{{name}}}"), text);
                    }
                }
                Value::String(out)
            }
            Value::Array(items) => Value::Array(items.iter().map(|v| self.fill(v)).collect()),
            Value::Object(map) => {
                Value::Object(map.iter().map(|(k, v)| (k.clone(), self.fill(v))).collect())
            }
            other => other.clone(),
        }
    }

    async fn admin(&self, method: reqwest::Method, path: &str, body: Option<&Value>) -> Value {
        let mut request = reqwest::Client::new()
            .request(method, format!("{}{path}", self.server.url()))
            .bearer_auth(self.server.admin_api_key());
        if let Some(body) = body {
            request = request.json(body);
        }
        let response = request.send().await.expect("the devserver answers");
        response.json().await.unwrap_or(Value::Null)
    }
}

fn at<'v>(value: &'v Value, path: &str) -> Option<&'v Value> {
    path.split('.')
        .try_fold(value, |v, key| match key.parse::<usize>() {
            Ok(i) => v.get(i),
            Err(_) => v.get(key),
        })
}

fn check(expect: &Value, result: &Value) -> Result<(), String> {
    if expect.is_null() {
        return if result.is_null() {
            Ok(())
        } else {
            Err(format!("expected null, got {result}"))
        };
    }
    for (path, want) in expect.as_object().ok_or("expect is an object")? {
        let got = at(result, path);
        let ok = match (want, got) {
            (Value::String(s), Some(g)) if s == "*" => !g.is_null(),
            (w, Some(g)) => w == g,
            (_, None) => false,
        };
        if !ok {
            return Err(format!("{path}: expected {want}, got {got:?} in {result}"));
        }
    }
    Ok(())
}

async fn run(server: &DevServerHandle, scenario: &Value) -> Result<(), Failed> {
    let email = format!("scenario-{:016x}@example.com", fastrand::u64(..));
    let mut run = Run {
        server,
        vars: HashMap::from([
            ("email".to_owned(), Value::from(email)),
            ("password".to_owned(), Value::from(PASSWORD)),
        ]),
    };
    let admin = Client::builder(server.url())
        .api_key(server.admin_api_key())
        .initial_retry_delay(Duration::from_millis(10))
        .build()?;
    let anonymous = Client::builder(server.url()).build()?;
    let events = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&events);
    let _subscription = admin.on(EventFilter::All, move |e| {
        sink.lock().unwrap().push(e.event_type.as_str().to_owned())
    });
    for (i, step) in scenario["steps"]
        .as_array()
        .ok_or("steps")?
        .iter()
        .enumerate()
    {
        let step = run.fill(step);
        let result = if let Some(fault) = step.get("fault") {
            run.admin(reqwest::Method::POST, "/__dev/faults", Some(fault))
                .await;
            continue;
        } else if let Some(to) = step.get("mail").and_then(Value::as_str) {
            let path = format!("/__dev/mailbox?to={}", to.replace('+', "%2B"));
            let mails = run.admin(reqwest::Method::GET, &path, None).await;
            mails["mails"]
                .as_array()
                .and_then(|m| m.last())
                .cloned()
                .ok_or("no mail")?
        } else {
            let id = step["call"]
                .as_str()
                .ok_or("a step needs call, fault or mail")?;
            let client = if step["client"] == "anonymous" {
                &anonymous
            } else {
                &admin
            };
            let input = step.get("input").cloned().unwrap_or(Value::Null);
            match (client.call_json(id, input).await, step.get("error")) {
                (Ok(out), None) => serde_json::from_str(&out)?,
                (Ok(out), Some(_)) => {
                    return Err(format!("step {i} ({id}): expected an error, got {out}").into());
                }
                (Err(e), None) => return Err(format!("step {i} ({id}): {e}").into()),
                (Err(e), Some(want)) => {
                    let got = serde_json::json!({
                        "kind": e.kind().as_str(), "status": e.status(), "code": e.code(),
                    });
                    for key in ["kind", "status", "code"] {
                        if let Some(w) = want.get(key)
                            && got[key] != *w
                        {
                            return Err(
                                format!("step {i} ({id}): expected {want}, got {got}").into()
                            );
                        }
                    }
                    continue;
                }
            }
        };
        if let Some(expect) = step.get("expect") {
            check(expect, &result).map_err(|e| format!("step {i}: {e}"))?;
        }
        if let Some(save) = step.get("save").and_then(Value::as_object) {
            for (name, path) in save {
                let value = at(&result, path.as_str().unwrap_or_default())
                    .ok_or(format!("step {i}: no {path}"))?;
                run.vars.insert(name.clone(), value.clone());
            }
        }
    }
    let want: Vec<String> = serde_json::from_value(scenario["events"].clone())?;
    for _ in 0..200 {
        if events.lock().unwrap().len() >= want.len() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    tokio::time::sleep(Duration::from_millis(20)).await;
    let got = events.lock().unwrap().clone();
    if got != want {
        return Err(format!("events: expected {want:?}, got {got:?}").into());
    }
    Ok(())
}
