//! Per-request overhead of ghl-client against a bare reqwest call of the
//! same request (`GET /contacts/{id}`, same headers, same decoded type) to
//! the same loopback server, one at a time and 64-way concurrent. A third
//! contender, `reqwest-p2e`, is the bare call decoding through
//! `serde_path_to_error` as the runtime does.
//!
//! `cargo bench -p ghl-benches --bench request [-- --quick]`; options in
//! `ghl_benches::request::Settings::from_args`. `--only NAME --single N
//! --concurrent 0 --rounds 1 --quiet` is the form `cargo xtask bench` runs
//! under callgrind to count instructions per request.

use ghl_benches::fixtures::{CONTACT_ID, LOCATION, TOKEN};
use ghl_benches::request::{Contender, Settings};
use ghl_benches::{machine, request, server};

fn main() {
    server::maybe_serve();
    let settings = Settings::from_args();
    let server = server::Server::start().expect("start the loopback server");
    let base = server.base_url.clone();

    // The baseline: the request ghl-client sends, by hand.
    let http = reqwest::Client::builder().user_agent("bench").build().expect("reqwest client");
    let url = format!("{base}/contacts/{CONTACT_ID}");
    let bare = Contender::new("reqwest", move || {
        let req = http
            .get(&url)
            .header(reqwest::header::AUTHORIZATION, format!("Bearer {TOKEN}"))
            .header("Version", "2021-07-28")
            .header(reqwest::header::ACCEPT, "application/json");
        async move {
            let resp = req.send().await.map_err(|e| e.to_string())?.error_for_status().map_err(|e| e.to_string())?;
            let body: ghl_client::contacts::ContactResponse = resp.json().await.map_err(|e| e.to_string())?;
            std::hint::black_box(body);
            Ok(())
        }
    });

    // The baseline again, decoding as ghl-client's runtime does (through
    // serde_path_to_error, which keeps the JSON path of a mismatch): how much
    // of the difference is the decoder.
    let http = reqwest::Client::builder().user_agent("bench").build().expect("reqwest client");
    let url = format!("{base}/contacts/{CONTACT_ID}");
    let bare_p2e = Contender::new("reqwest-p2e", move || {
        let req = http
            .get(&url)
            .header(reqwest::header::AUTHORIZATION, format!("Bearer {TOKEN}"))
            .header("Version", "2021-07-28")
            .header(reqwest::header::ACCEPT, "application/json");
        async move {
            let resp = req.send().await.map_err(|e| e.to_string())?.error_for_status().map_err(|e| e.to_string())?;
            let raw = resp.bytes().await.map_err(|e| e.to_string())?;
            let mut de = serde_json::Deserializer::from_slice(&raw);
            let body: ghl_client::contacts::ContactResponse =
                serde_path_to_error::deserialize(&mut de).map_err(|e| e.to_string())?;
            std::hint::black_box(body);
            Ok(())
        }
    });

    let client = ghl_client::Client::builder()
        .base_url(base.as_str())
        .private_integration_token(TOKEN)
        .location_id(LOCATION)
        .no_rate_limit()
        .build()
        .expect("ghl-client");
    let ours = Contender::new("ghl-client", move || {
        let op = client.contacts().get_contact(CONTACT_ID);
        async move {
            let body = op.send().await.map_err(|e| e.to_string())?;
            std::hint::black_box(body);
            Ok(())
        }
    });

    if !settings.quiet {
        // Each in-flight call holds its future: bigger ones cost a larger
        // allocation and more copying per call.
        let http = reqwest::Client::new();
        let client = ghl_client::Client::builder().private_integration_token(TOKEN).build().expect("ghl-client");
        eprintln!(
            "future sizes: reqwest send() {} B, ghl-client get_contact(..).send() {} B",
            std::mem::size_of_val(&http.get(&base).send()),
            std::mem::size_of_val(&client.contacts().get_contact(CONTACT_ID).send())
        );
        eprintln!("{}", machine::describe());
        eprintln!("server: {base} (child process, 1 thread); client: current-thread tokio runtime; {settings:?}");
    }
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    let report = runtime.block_on(request::run(&[bare, bare_p2e, ours], &settings)).expect("benchmark");
    if !settings.quiet {
        println!("{}", report.table());
        eprintln!("after: {}", machine::load());
    }
}
