//! The `ghl` command line (feature `cli`): every operation of the spec as
//! `ghl [--v3] <module> <command>`, built at run time from the generated
//! operation table ([`crate::cli_table::OPERATIONS`]) and sent through the
//! same [`crate::Client`] as the library (token choice, `Version`, OAuth
//! refresh, retries, rate limit, errors).
//!
//! The pieces: `command` (the clap tree and per-operation help), `args`
//! (arguments to a [`crate::Request`]), `output` (JSON out, errors and exit
//! codes), `paging` (`--all`), `auth` (the client from the environment and
//! `ghl auth`).

pub mod args;
pub mod auth;
pub mod command;
pub mod output;
pub mod paging;
pub mod table;

use std::process::ExitCode;

use clap::ArgMatches;

use crate::cli::output::{Exit, Printer};
use crate::cli::table::CliOperation;
use crate::cli_table::OPERATIONS;

/// The operations of one group (`""`: API v2 at the top of `spec/`, `"v3"`).
pub fn operations(group: &str) -> impl Iterator<Item = &'static CliOperation> + '_ {
    OPERATIONS.iter().filter(move |op| op.group == group)
}

/// Finds `module command` in `group`.
pub fn find(group: &str, module: &str, command: &str) -> Option<&'static CliOperation> {
    operations(group).find(|op| op.module == module && op.command == command)
}

/// Runs `ghl` with the process arguments; what `src/bin/ghl.rs` calls.
pub fn main() -> ExitCode {
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let code = run(args);
    ExitCode::from(code)
}

/// Runs `ghl` with `args` (the first is the program name); returns the exit code.
pub fn run(args: Vec<std::ffi::OsString>) -> u8 {
    // The module tree depends on `--v3`: look for it before clap parses.
    let group = if command::wants_v3(&args) { "v3" } else { "" };
    let matches = match command::root(group).try_get_matches_from(args) {
        Ok(m) => m,
        Err(e) => {
            let code = if e.use_stderr() { Exit::Usage } else { Exit::Ok };
            let _ = e.print();
            return code as u8;
        }
    };
    let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("ghl: could not start the async runtime: {e}");
            return Exit::Other as u8;
        }
    };
    let printer = Printer::from_matches(&matches);
    let result = runtime.block_on(dispatch(group, &matches, &printer));
    match result {
        Ok(()) => Exit::Ok as u8,
        Err(failure) => {
            printer.fail(&failure);
            failure.exit() as u8
        }
    }
}

async fn dispatch(group: &str, matches: &ArgMatches, printer: &Printer) -> Result<(), output::Failure> {
    match matches.subcommand() {
        Some(("ops", sub)) => {
            output::list_ops(sub, matches.get_flag(command::V3));
            Ok(())
        }
        Some(("completions", sub)) => {
            command::completions(group, sub);
            Ok(())
        }
        Some(("auth", sub)) => auth::run(matches, sub, printer).await,
        Some((module, sub)) => {
            let Some((command, op_matches)) = sub.subcommand() else {
                return Err(output::Failure::usage(format!(
                    "`ghl {module}` needs an operation; see `ghl {module} --help`"
                )));
            };
            let op = find(group, module, command)
                .ok_or_else(|| output::Failure::usage(format!("no operation `{module} {command}`")))?;
            call(matches, op, op_matches, printer).await
        }
        None => Err(output::Failure::usage("no command given; see `ghl --help`".to_owned())),
    }
}

/// One operation: build the request, then print it (`--dry-run`) or send it.
async fn call(
    global: &ArgMatches,
    op: &'static CliOperation,
    matches: &ArgMatches,
    printer: &Printer,
) -> Result<(), output::Failure> {
    let env = auth::Env::read();
    let input = args::Input::from_matches(op, matches, env.location_id.as_deref())?;
    if global.get_flag(command::DRY_RUN) {
        let request = input.request(op)?;
        return output::dry_run(&env, &request).await;
    }
    let client = auth::client(global, &env)?;
    if matches.try_get_one::<bool>(command::ALL).ok().flatten().copied().unwrap_or(false) {
        return paging::all(&client, op, input, printer).await;
    }
    printer.send(&client, op, input.request(op)?).await
}
