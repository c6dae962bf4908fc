//! The clap command tree: global options, one subcommand per module and per
//! operation (built from the table, so every operation has one), `ops`,
//! `auth` and `completions`.

use std::collections::BTreeSet;
use std::ffi::OsString;
use std::fmt::Write as _;

use clap::{Arg, ArgAction, ArgMatches, Command, value_parser};

use crate::TokenKind;
use crate::cli::table::{BodyEncoding, CliOperation, CliParam, PagingStyle, ParamIn, Shape, ValueKind};

/// Global flag: use API v3's modules.
pub const V3: &str = "ghl-v3";
/// Global flag: print the request instead of sending it.
pub const DRY_RUN: &str = "ghl-dry-run";
/// Global flag: pretty JSON even when piped.
pub const PRETTY: &str = "ghl-pretty";
/// Global flag: compact JSON even on a terminal.
pub const COMPACT: &str = "ghl-compact";
/// Global option: the OAuth token file.
pub const TOKEN_STORE: &str = "ghl-token-store";
/// Operation flag: every page.
pub const ALL: &str = "ghl-all";
/// Operation option: the request body.
pub const BODY: &str = "ghl-body";
/// Operation option: one top-level body field.
pub const FIELD: &str = "ghl-field";
/// Operation option: one file part.
pub const FILE: &str = "ghl-file";

/// Flags an operation's own options must not take.
const RESERVED: &[&str] =
    &["v3", "dry-run", "pretty", "compact", "token-store", "all", "body", "field", "file", "help"];

/// Whether `--v3` comes before the first subcommand (a module name).
pub fn wants_v3(args: &[OsString]) -> bool {
    for a in args.iter().skip(1) {
        match a.to_str() {
            Some("--v3") => return true,
            Some("--") => return false,
            Some(s) if s.starts_with('-') => continue,
            // `--token-store PATH` takes a value: a value is not a module name,
            // but it cannot be `--v3` either, so reading on is harmless.
            _ => continue,
        }
    }
    false
}

/// The whole tree for `group` (`""` or `"v3"`).
pub fn root(group: &str) -> Command {
    let mut modules: Vec<&'static str> = Vec::new();
    for op in super::operations(group) {
        if !modules.contains(&op.module) {
            modules.push(op.module);
        }
    }
    let (api, other) = if group.is_empty() {
        ("API v2", "`ghl --v3 --help` shows API v3's")
    } else {
        ("API v3", "`ghl --help` shows API v2's")
    };
    let mut root = Command::new("ghl")
        .version(env!("CARGO_PKG_VERSION"))
        .about("HighLevel (Go High Level) API from the command line: every operation of the spec")
        .long_about(
            "HighLevel (Go High Level) API from the command line: every operation of the spec as \
             `ghl <module> <operation>`.\n\n\
             Credentials come from the environment, as for `Client::from_env()`: GHL_API_KEY (a Private \
             Integration Token or access token), GHL_LOCATION_ID, GHL_CLIENT_ID and GHL_CLIENT_SECRET (OAuth, \
             tokens kept in the token store file), GHL_BASE_URL (another host, e.g. `cargo xtask mock`).",
        )
        .after_help(format!(
            "Modules shown are {api}'s; {other}. `ghl ops` lists every operation.\n\n\
             Exit codes: {}",
            super::output::EXIT_CODES
        ))
        .subcommand_required(true)
        .arg_required_else_help(true)
        .arg(
            Arg::new(V3).long("v3").global(true).action(ArgAction::SetTrue).help("Use API v3's modules and operations"),
        )
        .arg(
            Arg::new(DRY_RUN)
                .long("dry-run")
                .global(true)
                .action(ArgAction::SetTrue)
                .help("Print the request (method, URL, headers with the token redacted, body) and send nothing"),
        )
        .arg(
            Arg::new(PRETTY).long("pretty").global(true).action(ArgAction::SetTrue).help("Pretty JSON even when piped"),
        )
        .arg(
            Arg::new(COMPACT)
                .long("compact")
                .global(true)
                .action(ArgAction::SetTrue)
                .conflicts_with(PRETTY)
                .help("Compact JSON even on a terminal"),
        )
        .arg(
            Arg::new(TOKEN_STORE)
                .long("token-store")
                .global(true)
                .env("GHL_TOKEN_STORE")
                .value_name("PATH")
                .value_parser(value_parser!(std::path::PathBuf))
                .help("OAuth token file [default: ~/.config/ghl/tokens.json]"),
        )
        .subcommand(ops_command())
        .subcommand(super::auth::command())
        .subcommand(
            Command::new("completions").about("Print a shell completion script").arg(
                Arg::new("shell")
                    .required(true)
                    .value_parser(value_parser!(clap_complete::Shell))
                    .help("bash, zsh, fish, elvish or powershell"),
            ),
        );
    for module in modules {
        let ops: Vec<&'static CliOperation> = super::operations(group).filter(|op| op.module == module).collect();
        let mut cmd = Command::new(module)
            .about(format!("{} operations ({api})", ops.len()))
            .subcommand_required(true)
            .arg_required_else_help(true);
        for op in ops {
            cmd = cmd.subcommand(operation(op));
        }
        root = root.subcommand(cmd);
    }
    root
}

fn ops_command() -> Command {
    Command::new("ops")
        .about("List every operation: api, module, command, method, path (tab-separated)")
        .arg(Arg::new("module").long("module").value_name("MODULE").help("Only this module (e.g. contacts)"))
}

/// The `--flag` of a parameter: its kebab name, or `param-<name>` where that
/// is one of `ghl`'s own flags.
pub fn flag(p: &CliParam) -> String {
    if RESERVED.contains(&p.flag) { format!("param-{}", p.flag) } else { p.flag.to_owned() }
}

/// Whether a parameter is positional: required path parameters the
/// configuration cannot fill.
pub fn positional(p: &CliParam) -> bool {
    p.location == ParamIn::Path && !p.from_location
}

/// One operation's subcommand.
pub fn operation(op: &'static CliOperation) -> Command {
    let mut cmd = Command::new(op.command).about(op.summary).after_help(details(op));
    if op.deprecated {
        cmd = cmd.before_help("Deprecated.");
    }
    for p in op.params {
        let mut help = p.help.to_owned();
        append_shape(&mut help, &p.shape);
        let mut arg = Arg::new(p.flag).help(help);
        if positional(p) {
            arg = arg.required(true).value_name(p.name.to_owned());
        } else {
            arg = arg.long(flag(p)).value_name(value_name(&p.shape));
            if p.from_location {
                arg = arg.help(format!("{} [default: GHL_LOCATION_ID]", p.help).trim_start().to_owned());
            } else if p.required {
                arg = arg.required(true);
            }
            if p.shape.list {
                arg = arg.action(ArgAction::Append);
            }
        }
        arg = match p.shape.kind {
            ValueKind::Integer => arg.value_parser(value_parser!(i64)),
            ValueKind::Number => arg.value_parser(value_parser!(f64)),
            ValueKind::Boolean => arg.value_parser(value_parser!(bool)),
            _ => arg,
        };
        cmd = cmd.arg(arg);
    }
    if let Some(body) = &op.body {
        let required = if body.required { " (required)" } else { "" };
        cmd = cmd
            .arg(
                Arg::new(BODY)
                    .long("body")
                    .value_name("JSON|@FILE|-")
                    .help(format!("Request body{required}: JSON text, @file.json, or - for stdin")),
            )
            .arg(
                Arg::new(FIELD)
                    .long("field")
                    .short('F')
                    .value_name("KEY=VALUE")
                    .action(ArgAction::Append)
                    .help("Set a top-level body field (typed from the spec; KEY:=JSON for raw JSON)"),
            );
        if body.encoding == BodyEncoding::Multipart {
            cmd = cmd.arg(
                Arg::new(FILE)
                    .long("file")
                    .value_name("PART=PATH")
                    .action(ArgAction::Append)
                    .help("Upload a file as the multipart part PART"),
            );
        }
    }
    if op.paging.is_some() {
        cmd = cmd.arg(
            Arg::new(ALL)
                .long("all")
                .action(ArgAction::SetTrue)
                .help("Fetch every page and print each item as one JSON line"),
        );
    }
    cmd
}

fn value_name(shape: &Shape) -> &'static str {
    match shape.kind {
        ValueKind::Integer => "INT",
        ValueKind::Number => "NUMBER",
        ValueKind::Boolean => "true|false",
        ValueKind::Json => "JSON",
        ValueKind::File => "PATH",
        ValueKind::String | ValueKind::Secret => "VALUE",
    }
}

fn append_shape(help: &mut String, shape: &Shape) {
    if !shape.values.is_empty() {
        let _ = write!(help, " [values: {}]", shape.values.join(", "));
    }
    if shape.list {
        help.push_str(" [repeatable]");
    }
}

/// Method, path, `Version`, token, scopes, body fields and paging, for `--help`.
pub fn details(op: &CliOperation) -> String {
    let m = &op.meta;
    let mut s = format!("{} {}\nVersion: {}   operationId: {}\n", m.method, m.path, m.version, m.id);
    let token = match m.token {
        TokenKind::Location => "location (sub-account)",
        TokenKind::Agency => "agency (company)",
        TokenKind::Either => "location or agency",
        TokenKind::None => "none (app credentials)",
    };
    let _ = writeln!(s, "Token: {token}");
    if !m.scopes.is_empty() {
        let _ = writeln!(s, "Scopes: {}", m.scopes.join(", "));
    }
    if op.undocumented {
        s.push_str("Not in HighLevel's published docs (x-ghl-status: undocumented).\n");
    }
    if let Some(body) = &op.body {
        let kind = match body.encoding {
            BodyEncoding::Json => "JSON",
            BodyEncoding::Form => "form",
            BodyEncoding::Multipart => "multipart",
        };
        let _ = writeln!(s, "\nBody ({kind}{}), fields for --field:", if body.required { ", required" } else { "" });
        let mut seen = BTreeSet::new();
        for f in body.fields.iter().filter(|f| seen.insert(f.name)) {
            let mut line = format!("  {}{}", f.name, if f.required { " (required)" } else { "" });
            let kind = match (f.shape.kind, f.shape.list) {
                (ValueKind::File, _) => " file: use --file".to_owned(),
                (k, list) => format!(" {}{}", format!("{k:?}").to_lowercase(), if list { " list" } else { "" }),
            };
            line.push_str(&kind);
            append_shape(&mut line, &f.shape);
            if !f.help.is_empty() {
                let _ = write!(line, " — {}", f.help);
            }
            let _ = writeln!(s, "{line}");
        }
    }
    if let Some(p) = &op.paging {
        let how = match &p.style {
            PagingStyle::Offset(name) => format!("offset `{name}`"),
            PagingStyle::Page(name) => format!("page number `{name}`"),
            PagingStyle::Cursor(cs) => {
                format!("cursor {}", cs.iter().map(|c| format!("`{}`", c.param)).collect::<Vec<_>>().join(", "))
            }
        };
        let _ = writeln!(s, "\nPaged by {how}; --all prints every item of `{}` as JSON lines.", p.items.join("."));
    }
    s
}

/// `ghl completions SHELL`.
pub fn completions(group: &str, matches: &ArgMatches) {
    if let Some(shell) = matches.get_one::<clap_complete::Shell>("shell") {
        let mut cmd = root(group);
        clap_complete::generate(*shell, &mut cmd, "ghl", &mut std::io::stdout());
    }
}
