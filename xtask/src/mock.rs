//! `cargo xtask mock`: the spec-driven mock GHL server, standalone.
//!
//! Serves every operation of `spec/` on loopback (see `tests::mock`), checks
//! each request against the spec and logs it, so the examples of `ghl-client`
//! can be run with `GHL_BASE_URL` pointing at it and no HighLevel account.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::process::ExitCode;

use crate::Paths;

/// Arguments of `cargo xtask mock`.
#[derive(clap::Args)]
pub struct Args {
    /// Port to listen on (0 picks a free one).
    #[arg(long, default_value_t = 8787)]
    port: u16,
    /// Directory of OpenAPI documents [default: the workspace's `spec/`;
    /// a path given is taken from the current directory].
    #[arg(long)]
    spec: Option<PathBuf>,
    /// Address to listen on.
    #[arg(long, default_value_t = IpAddr::V4(Ipv4Addr::LOCALHOST))]
    host: IpAddr,
}

/// Runs the server until the process is stopped.
pub fn run(paths: &Paths, args: Args) -> ExitCode {
    let spec = paths.given_or(args.spec.as_deref(), "spec");
    match tests::mock::serve_forever(&spec, SocketAddr::new(args.host, args.port)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("mock: {e}");
            ExitCode::FAILURE
        }
    }
}
