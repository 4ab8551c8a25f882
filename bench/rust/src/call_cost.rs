//! One side of the per-call cost benchmark (`bench/rust/call_cost.sh` runs it under callgrind):
//! `calls` add-on configuration reads against a running server, through the core or through
//! bare reqwest doing the same request and decoding the same type. Prints nothing; callgrind
//! counts the instructions.
//!
//!     call_cost <banata|reqwest> <calls> <base url> <api key>

use std::time::Duration;

use banata_auth::{AddonConfig, Client};

const PATH: &str = "/api/auth/banata/config/addons/get";

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let [_, mode, calls, url, key] = args.as_slice() else {
        eprintln!("usage: call_cost <banata|reqwest> <calls> <base url> <api key>");
        std::process::exit(2);
    };
    let calls: usize = calls.parse().expect("a number of calls");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    runtime.block_on(async {
        match mode.as_str() {
            "banata" => {
                let client = Client::builder(url).api_key(key).build().expect("a client");
                for _ in 0..calls {
                    let config = client.addons().get().await.expect("a configuration");
                    std::hint::black_box(config);
                }
            }
            "reqwest" => {
                // What a careful hand-written call does: bearer key, JSON body, timeout, decode.
                let http = reqwest::Client::builder()
                    .redirect(reqwest::redirect::Policy::none())
                    .build()
                    .expect("a client");
                let endpoint = format!("{url}{PATH}");
                for _ in 0..calls {
                    let response = http
                        .post(&endpoint)
                        .bearer_auth(key)
                        .header("accept", "application/json")
                        .header("content-type", "application/json")
                        .body("{}")
                        .timeout(Duration::from_secs(30))
                        .send()
                        .await
                        .expect("an answer");
                    assert!(response.status().is_success());
                    let body = response.bytes().await.expect("a body");
                    let config: AddonConfig =
                        serde_json::from_slice(&body).expect("a configuration");
                    std::hint::black_box(config);
                }
            }
            other => panic!("unknown mode {other:?}"),
        }
    });
}
