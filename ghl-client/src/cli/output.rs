//! What `ghl` prints: JSON on stdout (pretty on a terminal, compact when
//! piped), errors on stderr, one exit code per error class.

use std::io::{IsTerminal as _, Write as _};

use clap::ArgMatches;
use serde_json::Value;

use crate::cli::auth::Env;
use crate::cli::command::{COMPACT, PRETTY};
use crate::cli::table::{CliOperation, SuccessKind};
use crate::{Body, Client, Error, Part, Request};

/// Exit codes, by class of failure.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Exit {
    /// Success.
    Ok = 0,
    /// HighLevel answered with an error status (`Error::Api`), or anything else.
    Other = 1,
    /// Bad arguments: unknown command or flag, invalid JSON, missing file
    /// (`Error::InvalidArgument`, `Error::Encode`).
    Usage = 2,
    /// Configuration: no credentials, bad base URL, token file (`Error::Config`, `Error::TokenStore`).
    Config = 3,
    /// Credentials rejected, expired or lacking a scope (`Error::Auth`).
    Auth = 4,
    /// Rate limited (`Error::RateLimited`).
    RateLimited = 5,
    /// No answer: network failure, timeout, deadline (`Error::Transport`, `Timeout`, `Deadline`).
    Network = 6,
    /// An answer `ghl` could not use (`Error::Decode`, `Error::ResponseTooLarge`).
    Response = 7,
}

/// The exit codes as `--help` shows them.
pub const EXIT_CODES: &str = "0 ok, 1 HighLevel answered an error status, 2 usage, 3 configuration, \
                              4 authentication, 5 rate limited, 6 network or timeout, 7 unusable response";

/// Why a command failed.
#[derive(Debug)]
pub enum Failure {
    /// The arguments were wrong.
    Usage(String),
    /// The call failed.
    Call(Error),
    /// Writing the output failed (a closed pipe is not reported).
    Io(std::io::Error),
}

impl Failure {
    /// A usage error.
    pub fn usage(message: String) -> Failure {
        Failure::Usage(message)
    }

    /// The exit code.
    pub fn exit(&self) -> Exit {
        match self {
            Failure::Usage(_) => Exit::Usage,
            Failure::Io(_) => Exit::Other,
            Failure::Call(e) => exit_code(e),
        }
    }
}

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        Failure::Call(e)
    }
}

/// The exit code of an error.
pub fn exit_code(e: &Error) -> Exit {
    match e {
        Error::Api { .. } => Exit::Other,
        Error::InvalidArgument { .. } | Error::Encode { .. } => Exit::Usage,
        Error::Config(_) | Error::TokenStore { .. } => Exit::Config,
        Error::Auth { .. } => Exit::Auth,
        Error::RateLimited { .. } => Exit::RateLimited,
        Error::Transport { .. } | Error::Timeout { .. } | Error::Deadline { .. } => Exit::Network,
        Error::Decode { .. } | Error::ResponseTooLarge { .. } => Exit::Response,
    }
}

/// Output settings.
#[derive(Debug)]
pub struct Printer {
    /// Indent JSON documents.
    pub pretty: bool,
    /// Show progress on stderr.
    pub progress: bool,
}

impl Printer {
    /// From the global flags and whether stdout and stderr are terminals.
    pub fn from_matches(m: &ArgMatches) -> Printer {
        let flag = |id: &str| m.try_get_one::<bool>(id).ok().flatten().copied().unwrap_or(false);
        let pretty = if flag(PRETTY) {
            true
        } else if flag(COMPACT) {
            false
        } else {
            std::io::stdout().is_terminal()
        };
        Printer { pretty, progress: std::io::stderr().is_terminal() }
    }

    /// Prints one JSON document.
    pub fn json(&self, v: &Value) -> Result<(), Failure> {
        let text = if self.pretty { serde_json::to_string_pretty(v) } else { serde_json::to_string(v) };
        let text = text.map_err(|e| Failure::Io(std::io::Error::other(e)))?;
        write_out(format!("{text}\n").as_bytes())
    }

    /// Prints one item of a list as one line.
    pub fn line(&self, v: &Value) -> Result<(), Failure> {
        write_out(format!("{v}\n").as_bytes())
    }

    /// Sends a request and prints its answer.
    pub async fn send(&self, client: &Client, op: &CliOperation, request: Request) -> Result<(), Failure> {
        match op.success {
            SuccessKind::Bytes => {
                let resp = client.execute_bytes(request).await?;
                write_out(&resp.body)
            }
            SuccessKind::Json | SuccessKind::Empty => {
                let resp = client.execute::<Value>(request).await?;
                if resp.raw.iter().all(u8::is_ascii_whitespace) {
                    return Ok(());
                }
                self.json(&resp.body)
            }
        }
    }

    /// Reports a failure on stderr.
    pub fn fail(&self, failure: &Failure) {
        match failure {
            Failure::Usage(m) => eprintln!("ghl: {m}"),
            Failure::Call(e) => eprintln!("ghl: {e}"),
            Failure::Io(e) => eprintln!("ghl: could not write the output: {e}"),
        }
    }
}

/// Writes to stdout; a reader that went away (`| head`) ends the output quietly.
fn write_out(bytes: &[u8]) -> Result<(), Failure> {
    let mut out = std::io::stdout().lock();
    match out.write_all(bytes).and_then(|()| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => std::process::exit(0),
        other => other.map_err(Failure::Io),
    }
}

/// `--dry-run`: the request as the runtime would build it, with the
/// `Authorization` header's token replaced. No token is ever read for it.
pub async fn dry_run(env: &Env, request: &Request) -> Result<(), Failure> {
    let net = crate::runtime::transport::Net::new(reqwest::Client::new(), env.base_url.clone(), None, None, 0);
    let token = match request.meta.token {
        crate::TokenKind::None => None,
        kind => {
            let label = format!("Bearer <redacted {} token>", format!("{kind:?}").to_lowercase());
            Some(http::HeaderValue::from_str(&label).map_err(|e| Failure::Io(std::io::Error::other(e)))?)
        }
    };
    let built = net.build_whole(request, token).await?;
    let mut out = format!("{} {}\n", built.method(), built.url());
    for (name, value) in built.headers() {
        out.push_str(&format!("{name}: {}\n", value.to_str().unwrap_or("<binary>")));
    }
    match &request.body {
        Body::Empty => {}
        Body::Json(bytes) => {
            out.push('\n');
            out.push_str(&String::from_utf8_lossy(bytes));
            out.push('\n');
        }
        Body::Form(text) => {
            out.push('\n');
            out.push_str(text);
            out.push('\n');
        }
        Body::Multipart(parts) => {
            out.push('\n');
            for part in parts {
                match part {
                    Part::Text { name, value } => out.push_str(&format!("part {name}: {value}\n")),
                    Part::File { name, upload, .. } => out.push_str(&format!(
                        "part {name}: file {} ({} bytes)\n",
                        upload.file_name(),
                        upload.len().map_or("?".into(), |n| n.to_string())
                    )),
                }
            }
        }
    }
    write_out(out.as_bytes())
}

/// `ghl ops`: one operation per line, tab-separated.
pub fn list_ops(m: &ArgMatches, only_v3: bool) {
    let module = m.get_one::<String>("module");
    let mut out = String::new();
    for op in crate::cli_table::OPERATIONS {
        if (only_v3 && op.group != "v3") || module.is_some_and(|want| want != op.module) {
            continue;
        }
        let api = if op.group.is_empty() { "v2" } else { op.group };
        out.push_str(&format!("{api}\t{}\t{}\t{}\t{}\n", op.module, op.command, op.meta.method, op.meta.path));
    }
    let _ = write_out(out.as_bytes());
}
