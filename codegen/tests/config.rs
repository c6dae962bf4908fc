//! What the generator knows of the vendor comes from `Config`: another API's
//! security scheme names and owner name change the output without touching
//! the generator.

use codegen::config::{SchemeRule, TokenSchemes, Vendor};
use codegen::ir::Token;
use codegen::{Config, generate_from_texts};

const DOC: &str = r#"
openapi: 3.1.0
info: { title: Widgets, version: "1" }
paths:
  /widgets/{widgetId}:
    get:
      operationId: getWidget
      summary: Fetch one widget.
      security:
        - WorkspaceKey: [widgets.read]
      x-ghl-version: "1"
      parameters:
        - { name: widgetId, in: path, required: true, schema: { type: string } }
      responses:
        "200":
          description: The widget.
          content:
            application/json:
              schema: { type: object, properties: { id: { type: string } } }
"#;

fn widgets_module(config: &Config) -> String {
    let files = vec![("widgets.yaml".to_owned(), DOC.to_owned())];
    let out = generate_from_texts(config, &files).unwrap_or_else(|d| panic!("generation failed: {d:#?}"));
    out.files.get("widgets.rs").cloned().unwrap_or_else(|| panic!("no widgets.rs in {:?}", out.files.keys()))
}

#[test]
fn token_kind_follows_the_configured_scheme_names() {
    // HighLevel's names do not know `WorkspaceKey`: either token is accepted.
    let highlevel = widgets_module(&Config::new("spec"));
    assert!(highlevel.contains("crate::TokenKind::Either"), "{highlevel}");

    let config = Config {
        token_schemes: TokenSchemes {
            rules: vec![SchemeRule { name: "workspace".to_owned(), prefix: true, token: Token::Agency }],
        },
        ..Config::new("spec")
    };
    let acme = widgets_module(&config);
    assert!(acme.contains("crate::TokenKind::Agency"), "{acme}");
    assert!(!acme.contains("crate::TokenKind::Either"), "{acme}");
}

#[test]
fn vendor_name_in_docs_comes_from_the_config() {
    let all_text = |config: &Config| {
        let files = vec![("widgets.yaml".to_owned(), DOC.to_owned())];
        let out = generate_from_texts(config, &files).unwrap_or_else(|d| panic!("generation failed: {d:#?}"));
        out.files.values().cloned().collect::<Vec<_>>().join("\n")
    };
    let highlevel = all_text(&Config::new("spec"));
    assert!(highlevel.contains("HighLevel"), "the default vendor is named nowhere");
    let config =
        Config { vendor: Vendor { name: "Acme".to_owned(), env_prefix: "ACME".to_owned() }, ..Config::new("spec") };
    let acme = all_text(&config);
    assert!(acme.contains("Acme") && acme.contains("ACME_"), "the configured vendor is named nowhere");
    assert!(!acme.contains("HighLevel") && !acme.contains("GHL_"), "HighLevel's names leak:\n{acme}");
}
