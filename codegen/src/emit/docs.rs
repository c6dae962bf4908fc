//! Text outputs rendered with minijinja: module docs and the crate docs.

use minijinja::{Environment, context};

use crate::config::Vendor;
use crate::ir::{Api, Module, Token};

const MODULE_DOCS: &str = include_str!("../../templates/module_docs.md.j2");
const CRATE_DOCS: &str = include_str!("../../templates/crate_docs.md.j2");

/// The template environment, parsed once per process.
fn env() -> &'static Environment<'static> {
    static ENV: std::sync::OnceLock<Environment<'static>> = std::sync::OnceLock::new();
    ENV.get_or_init(build_env)
}

fn build_env() -> Environment<'static> {
    let mut env = Environment::new();
    env.set_trim_blocks(false);
    env.add_template("module_docs", MODULE_DOCS).expect("module docs template parses");
    env.add_template("crate_docs", CRATE_DOCS).expect("crate docs template parses");
    env
}

fn token_text(t: Token) -> &'static str {
    match t {
        Token::Location => "location",
        Token::Agency => "agency",
        Token::Either => "either",
        Token::None => "none",
    }
}

/// The rustdoc text of a module.
pub fn module_docs(module: &Module) -> Result<String, minijinja::Error> {
    let operations: Vec<_> = module
        .operations
        .values()
        .filter(|op| !op.undocumented)
        .map(|op| {
            context! {
                fn_name => op.fn_name,
                method => op.method.as_str(),
                path => op.path,
                version => op.version,
                token => token_text(op.token),
            }
        })
        .collect();
    env().get_template("module_docs")?.render(context! {
        title => module.title,
        description => module.description.as_deref().map(super::clean_doc),
        feature => (!module.shared).then_some(&module.feature),
        op_count => module.operations.len(),
        source => module.source,
        example => module.example.as_deref().map(str::trim),
        // A module whose every operation is undocumented shows calls that
        // only exist with that feature.
        example_feature => module.all_undocumented().then_some("undocumented"),
        operations => operations,
        handle => super::ops::handle_name(module.leaf()),
    })
}

/// The crate-level docs, with the module/feature table.
pub fn crate_docs(api: &Api, vendor: &Vendor) -> Result<String, minijinja::Error> {
    let modules: Vec<_> = api
        .modules
        .values()
        .map(|m| {
            let summary = m.description.as_deref().map(first_sentence).unwrap_or_default();
            context! {
                name => m.name,
                feature => (!m.shared).then_some(&m.feature),
                op_count => m.operations.len(),
                summary => summary,
            }
        })
        .collect();
    env()
        .get_template("crate_docs")?
        .render(context! { modules => modules, vendor => vendor.name, env_prefix => vendor.env_prefix })
}

fn first_sentence(text: &str) -> String {
    let line = text.lines().next().unwrap_or_default();
    let end = line.find(". ").map_or(line.len(), |i| i + 1);
    line[..end].replace('|', "\\|")
}
