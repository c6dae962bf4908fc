//! The printer only lays tokens out: over every checked-in generated file,
//! printing its tokens again gives back the same tokens and the same text.

use std::path::Path;
use std::str::FromStr;

use proc_macro2::TokenStream;

fn generated_files() -> Vec<(String, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../ghl-client/src/generated");
    let mut files = Vec::new();
    let mut stack = vec![dir];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).expect("generated dir") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).expect("read");
                files.push((path.display().to_string(), text));
            }
        }
    }
    assert!(files.len() > 50, "expected the generated modules, found {}", files.len());
    files
}

/// The file without its two banner lines and the blank line after them.
fn body(text: &str) -> &str {
    text.splitn(4, '\n').nth(3).unwrap_or("")
}

#[test]
fn printing_keeps_every_token_and_is_stable() {
    for (path, text) in generated_files() {
        let tokens = TokenStream::from_str(body(&text)).unwrap_or_else(|e| panic!("{path}: does not tokenize: {e}"));
        let printed = codegen::print::file(tokens.clone());
        let again =
            TokenStream::from_str(&printed).unwrap_or_else(|e| panic!("{path}: printed text does not tokenize: {e}"));
        assert_eq!(again.to_string(), tokens.to_string(), "{path}: printing changed the tokens");
        if let Some((n, (a, b))) = printed.lines().zip(body(&text).lines()).enumerate().find(|(_, (a, b))| a != b) {
            panic!("{path}: printing the file's own tokens lays line {n} out differently:\n  {b}\n  {a}");
        }
        assert_eq!(printed.lines().count(), body(&text).lines().count(), "{path}: line count differs");
    }
}

#[test]
fn spacing_never_glues_tokens() {
    let cases = [
        "fn f() { let x = a - -1; let y = &&z; let c = |a, b| a; let d = move || 1; }",
        "impl<'a> Foo<'a> for Vec<Option<Box<dyn Fn(&'a str) -> Result<(), E>>>> {}",
        "fn g() -> Vec<T> where T: Into<String> { if !ok { return; } match x { A | B => 1, _ => { 2 } } }",
        "static S: &[&str] = &[\"a\", \"b\"]; const N: [u8; 4] = [0; 4];",
        "fn h() { Foo { a, ..Default::default() }; x.iter().map(|(k, v)| (k, v)).collect::<Vec<_>>(); }",
    ];
    for case in cases {
        let tokens = TokenStream::from_str(case).expect("case tokenizes");
        let printed = codegen::print::file(tokens.clone());
        let again = TokenStream::from_str(&printed).unwrap_or_else(|e| panic!("{printed}: {e}"));
        assert_eq!(again.to_string(), tokens.to_string(), "{printed}");
    }
}

#[test]
fn doc_attributes_become_comments() {
    let tokens = TokenStream::from_str(
        "#![doc = \" Module.\"] #[doc = \" A \\\"thing\\\".\"] pub struct A { #[doc = \" Field.\"] pub a: u8, }",
    )
    .expect("tokenizes");
    let printed = codegen::print::file(tokens);
    assert_eq!(printed, "//! Module.\n\n/// A \"thing\".\npub struct A {\n    /// Field.\n    pub a: u8,\n}");
}

#[test]
fn generic_arguments_stay_on_their_field_line() {
    let tokens =
        TokenStream::from_str("pub struct A { #[serde(default)] pub counts: BTreeMap<String, i64>, pub b: u8, }")
            .expect("tokenizes");
    let printed = codegen::print::file(tokens);
    assert!(printed.contains("    pub counts: BTreeMap<String, i64>,\n"), "{printed}");
}
