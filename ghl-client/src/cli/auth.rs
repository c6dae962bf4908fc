//! Credentials: the client from the environment (as `Client::from_env()`,
//! plus a token file for OAuth) and `ghl auth`. Nothing here prints a token.

use std::path::PathBuf;
use std::sync::Arc;

use clap::{Arg, ArgAction, ArgMatches, Command};

use crate::cli::command::TOKEN_STORE;
use crate::cli::output::{Failure, Printer};
use crate::runtime::client::DEFAULT_BASE_URL;
use crate::runtime::config::{ENV_API_KEY, ENV_BASE_URL, ENV_CLIENT_ID, ENV_CLIENT_SECRET, ENV_LOCATION_ID};
use crate::{Client, Error, FileTokenStore, TokenStore, UserType};

/// What `--dry-run` and `auth status` need from the environment; never the secrets themselves.
#[derive(Debug)]
pub struct Env {
    /// `GHL_BASE_URL`, or HighLevel's host.
    pub base_url: String,
    /// `GHL_LOCATION_ID`.
    pub location_id: Option<String>,
    /// `GHL_API_KEY` is set.
    pub has_api_key: bool,
    /// `GHL_CLIENT_ID`, when set (an app id, not a secret).
    pub client_id: Option<String>,
}

/// A variable, trimmed, empty meaning unset (as `Client::from_env` reads it).
fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
}

impl Env {
    /// Reads the environment.
    pub fn read() -> Env {
        Env {
            base_url: var(ENV_BASE_URL).unwrap_or_else(|| DEFAULT_BASE_URL.to_owned()).trim_end_matches('/').to_owned(),
            location_id: var(ENV_LOCATION_ID),
            has_api_key: var(ENV_API_KEY).is_some(),
            client_id: var(ENV_CLIENT_ID),
        }
    }
}

/// The token file: `--token-store`, `GHL_TOKEN_STORE`, or `~/.config/ghl/tokens.json`.
pub fn token_path(global: &ArgMatches) -> Option<PathBuf> {
    if let Some(p) = global.try_get_one::<PathBuf>(TOKEN_STORE).ok().flatten() {
        return Some(p.clone());
    }
    let config =
        var("XDG_CONFIG_HOME").map(PathBuf::from).or_else(|| var("HOME").map(|h| PathBuf::from(h).join(".config")));
    config.map(|c| c.join("ghl").join("tokens.json"))
}

/// The client for a call: `Client::from_env()`'s settings, with the OAuth
/// tokens kept in the token file when an OAuth app is configured.
pub fn client(global: &ArgMatches, env: &Env) -> Result<Client, Failure> {
    let mut builder = Client::builder().from_env();
    if env.client_id.is_some()
        && let Some(path) = token_path(global)
    {
        ensure_dir(&path)?;
        builder = builder.token_store(Arc::new(FileTokenStore::new(path)));
    }
    Ok(builder.build()?)
}

/// `ghl auth`.
pub fn command() -> Command {
    Command::new("auth")
        .about("OAuth sign-in (code exchange, refresh) and which credentials are configured")
        .subcommand_required(true)
        .subcommand(Command::new("status").about("Show which token kind is configured (never the token)"))
        .subcommand(
            Command::new("url")
                .about("Print the app's authorization page URL (needs GHL_CLIENT_ID and GHL_CLIENT_SECRET)")
                .arg(Arg::new("redirect-uri").long("redirect-uri").required(true).value_name("URI"))
                .arg(
                    Arg::new("scope")
                        .long("scope")
                        .value_name("SCOPE")
                        .action(ArgAction::Append)
                        .help("A scope to ask for (repeatable)"),
                ),
        )
        .subcommand(
            Command::new("login")
                .about("Exchange the code HighLevel sent to your redirect URI for tokens, kept in the token file")
                .arg(Arg::new("code").long("code").required(true).value_name("CODE"))
                .arg(Arg::new("redirect-uri").long("redirect-uri").value_name("URI"))
                .arg(
                    Arg::new("user-type")
                        .long("user-type")
                        .value_parser(["location", "company"])
                        .default_value("location")
                        .help("Which token to ask for"),
                ),
        )
        .subcommand(Command::new("refresh").about("Refresh the stored OAuth token now"))
}

/// Runs `ghl auth …`.
pub async fn run(global: &ArgMatches, m: &ArgMatches, printer: &Printer) -> Result<(), Failure> {
    let env = Env::read();
    match m.subcommand() {
        Some(("status", _)) => status(global, &env).await,
        Some(("url", sub)) => {
            let client = oauth_client(global, &env)?;
            let mut url =
                client.authorization_url(sub.get_one::<String>("redirect-uri").cloned().unwrap_or_default())?;
            for s in sub.get_many::<String>("scope").into_iter().flatten() {
                url = url.scope(s.clone());
            }
            println!("{url}");
            Ok(())
        }
        Some(("login", sub)) => {
            let client = oauth_client(global, &env)?;
            let code = sub.get_one::<String>("code").map(String::as_str).unwrap_or_default();
            let user_type = match sub.get_one::<String>("user-type").map(String::as_str) {
                Some("company") => UserType::Company,
                _ => UserType::Location,
            };
            let redirect = sub.get_one::<String>("redirect-uri").map(String::as_str);
            let tokens = client.exchange_code(code, redirect, user_type).await?;
            let path = token_path(global).map(|p| p.display().to_string()).unwrap_or_default();
            printer.json(&serde_json::json!({
                "stored": path,
                "userType": tokens.user_type.as_str(),
                "locationId": tokens.location_id,
                "companyId": tokens.company_id,
                "expiresAt": tokens.expires_at,
                "scope": tokens.scope,
            }))
        }
        Some(("refresh", _)) => {
            oauth_client(global, &env)?.refresh_now().await?;
            eprintln!("ghl: token refreshed");
            Ok(())
        }
        _ => Err(Failure::usage("see `ghl auth --help`".into())),
    }
}

fn oauth_client(global: &ArgMatches, env: &Env) -> Result<Client, Failure> {
    let (Some(id), Some(secret)) = (env.client_id.clone(), var(ENV_CLIENT_SECRET)) else {
        return Err(Error::Config(format!(
            "set {ENV_CLIENT_ID} and {ENV_CLIENT_SECRET} to the marketplace app's credentials"
        ))
        .into());
    };
    let path = token_path(global)
        .ok_or_else(|| Failure::usage("no token file: pass --token-store PATH or set GHL_TOKEN_STORE".into()))?;
    ensure_dir(&path)?;
    // Only the app matters here, not GHL_API_KEY.
    let client = Client::builder()
        .oauth(crate::OAuthApp::new(id, secret))
        .base_url(env.base_url.clone())
        .token_store(Arc::new(FileTokenStore::new(path)))
        .build()?;
    Ok(client)
}

/// The token file's directory must exist before the first write.
fn ensure_dir(path: &std::path::Path) -> Result<(), Failure> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .map_err(|e| Error::store(format!("could not create the token directory {}", dir.display()), e))?;
    }
    Ok(())
}

async fn status(global: &ArgMatches, env: &Env) -> Result<(), Failure> {
    let mut lines = Vec::new();
    lines.push(format!("API host: {}", env.base_url));
    if env.has_api_key {
        lines.push(format!(
            "{ENV_API_KEY}: set — a Private Integration Token or access token, sent for every operation"
        ));
    }
    match &env.client_id {
        Some(id) => {
            lines.push(format!("OAuth app: client id {id}"));
            match token_path(global) {
                Some(path) => {
                    let store = FileTokenStore::new(&path);
                    match store.get().await? {
                        Some(record) => {
                            let t = &record.tokens;
                            let who = match t.user_type {
                                UserType::Location => {
                                    format!("location token for {}", t.location_id.as_deref().unwrap_or("?"))
                                }
                                UserType::Company => {
                                    format!("agency token for company {}", t.company_id.as_deref().unwrap_or("?"))
                                }
                            };
                            let now = crate::runtime::oauth::unix_now();
                            let expiry = if t.expires_at > now {
                                format!("expires in {} min", (t.expires_at - now) / 60)
                            } else {
                                "expired (refreshed on the next call)".to_owned()
                            };
                            let refresh = if t.refresh_token.is_some() { "with" } else { "without" };
                            lines.push(format!(
                                "OAuth tokens ({}): {who}, {expiry}, {refresh} a refresh token",
                                path.display()
                            ));
                        }
                        None => lines.push(format!(
                            "OAuth tokens: none in {} yet; run `ghl auth login --code …`",
                            path.display()
                        )),
                    }
                }
                None => lines.push("OAuth tokens: no token file (set GHL_TOKEN_STORE)".into()),
            }
        }
        None if !env.has_api_key => {
            lines.push(format!("No credentials: set {ENV_API_KEY}, or {ENV_CLIENT_ID} and {ENV_CLIENT_SECRET}"))
        }
        None => {}
    }
    lines.push(match &env.location_id {
        Some(l) => format!("{ENV_LOCATION_ID}: {l}"),
        None => format!("{ENV_LOCATION_ID}: not set"),
    });
    println!("{}", lines.join("\n"));
    Ok(())
}
