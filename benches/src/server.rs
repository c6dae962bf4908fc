//! A HighLevel-shaped HTTP/1.1 server on loopback (keep-alive, TCP_NODELAY),
//! run as a child process of the benchmark: the client's process then holds
//! only the client, for valgrind (which does not follow children) and for the
//! counting allocator. The server runs on one thread.
//!
//! - `GET /contacts/{id}` answers a fixed contact ([`fixtures::contact_response`]);
//! - `GET /contacts/?locationId=total-N&limit=L&startAfterId=c…` pages through
//!   `N` contacts by cursor ([`fixtures::contact_page`]).
//!
//! A benchmark binary calls [`maybe_serve`] first thing in `main`; [`Server::start`]
//! re-runs the same binary with [`SERVE_FLAG`]. The child exits when its
//! standard input closes, so it never outlives the benchmark.

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, Stdio};

use axum::Router;
use axum::extract::RawQuery;
use axum::http::header::CONTENT_TYPE;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::serve::ListenerExt;

use crate::fixtures;

/// The argument that makes a benchmark binary serve instead of measuring.
pub const SERVE_FLAG: &str = "--ghl-bench-serve";

/// Serves and exits if this process was started by [`Server::start`].
pub fn maybe_serve() {
    if std::env::args().any(|a| a == SERVE_FLAG) {
        serve();
        std::process::exit(0);
    }
}

/// The running child server; killed when dropped.
pub struct Server {
    /// `http://127.0.0.1:PORT`, without a trailing slash.
    pub base_url: String,
    child: Child,
}

impl Server {
    /// Starts the current executable as the server and waits until it listens.
    pub fn start() -> std::io::Result<Server> {
        let exe = std::env::current_exe()?;
        let mut child = Command::new(exe)
            .arg(SERVE_FLAG)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()?;
        let mut line = String::new();
        let stdout = child.stdout.take().ok_or_else(|| std::io::Error::other("no stdout"))?;
        BufReader::new(stdout).read_line(&mut line)?;
        let addr = line.trim();
        if addr.is_empty() {
            let _ = child.kill();
            let _ = child.wait();
            return Err(std::io::Error::other("the bench server did not start"));
        }
        Ok(Server { base_url: format!("http://{addr}"), child })
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve() {
    // Exit when the parent closes our stdin (or dies).
    std::thread::spawn(|| {
        let mut sink = [0u8; 64];
        let mut stdin = std::io::stdin();
        while matches!(stdin.read(&mut sink), Ok(n) if n > 0) {}
        std::process::exit(0);
    });
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind 127.0.0.1:0");
        println!("{}", listener.local_addr().expect("local address"));
        let contact = bytes_of(fixtures::contact_response());
        let app = Router::new()
            .route("/contacts/{id}", get(move || async move { json(contact.clone()) }))
            .route("/contacts/", get(list_contacts));
        let listener = listener.tap_io(|tcp| {
            let _ = tcp.set_nodelay(true);
        });
        axum::serve(listener, app).await.expect("serve");
    });
}

fn bytes_of(s: String) -> axum::body::Bytes {
    axum::body::Bytes::from(s)
}

fn json(body: axum::body::Bytes) -> impl IntoResponse {
    ([(CONTENT_TYPE, "application/json")], body)
}

async fn list_contacts(RawQuery(query): RawQuery) -> impl IntoResponse {
    let query = query.unwrap_or_default();
    let param = |name: &str| {
        query.split('&').find_map(|kv| kv.split_once('=').filter(|(k, _)| *k == name).map(|(_, v)| v.to_owned()))
    };
    let total = param("locationId").and_then(|l| l.strip_prefix("total-").and_then(|n| n.parse().ok())).unwrap_or(0);
    let limit = param("limit").and_then(|l| l.parse().ok()).unwrap_or(20usize);
    let start = fixtures::start_after(param("startAfterId").as_deref()).min(total);
    let end = (start + limit).min(total);
    json(bytes_of(fixtures::contact_page(start, end, total)))
}
