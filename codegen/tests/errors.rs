//! Broken specs get located errors — all of them, never a panic.

use codegen::{Config, Diagnostic, Severity, generate_from_texts};

const HEAD: &str = "openapi: 3.1.0\ninfo: { title: Broken, version: \"1\" }\n";

fn errors(files: &[(&str, &str)]) -> Vec<Diagnostic> {
    let files: Vec<(String, String)> = files.iter().map(|(n, t)| (n.to_string(), t.to_string())).collect();
    match generate_from_texts(&Config::new("spec"), &files) {
        Ok(_) => panic!("a broken spec must not generate"),
        Err(d) => d.into_iter().filter(|d| d.severity == Severity::Error).collect(),
    }
}

fn op(id: &str, path: &str, extra: &str) -> String {
    format!(
        "  {path}:\n    get:\n      operationId: {id}\n      summary: S.\n      x-ghl-version: \"2021-07-28\"\n      x-ghl-token: location\n{extra}      responses:\n        \"200\": {{ description: ok }}\n"
    )
}

#[test]
fn invalid_yaml_is_located() {
    let e = errors(&[("a.yaml", "openapi: 3.1.0\ninfo: [unclosed\n")]);
    assert_eq!(e.len(), 1, "{e:#?}");
    assert_eq!((e[0].file.as_str(), e[0].line), ("a.yaml", 3));
    assert!(e[0].message.starts_with("invalid YAML"), "{}", e[0]);
}

#[test]
fn dangling_ref_is_located() {
    let spec = format!(
        "{HEAD}paths: {{}}\ncomponents:\n  schemas:\n    A:\n      type: object\n      properties:\n        b: {{ $ref: \"#/components/schemas/Missing\" }}\n"
    );
    let e = errors(&[("a.yaml", &spec)]);
    assert_eq!(e.len(), 1, "{e:#?}");
    assert_eq!((e[0].line, e[0].col), (9, 14), "{}", e[0]);
    assert!(e[0].to_string().contains("`$ref` target `#/components/schemas/Missing` does not exist"), "{}", e[0]);
    assert!(e[0].pointer.ends_with("/properties/b/$ref"));
}

#[test]
fn duplicate_operation_id_is_an_error() {
    let spec = format!("{HEAD}paths:\n{}{}", op("getA", "/a", ""), op("getA", "/b", ""));
    let e = errors(&[("a.yaml", &spec)]);
    assert!(e.iter().any(|d| d.message.contains("duplicate operationId `getA`") && d.line == 14), "{e:#?}");
}

#[test]
fn path_parameter_mismatches_are_errors() {
    let undeclared = op("getA", "/a/{id}", "");
    let stray = op(
        "getB",
        "/b",
        "      parameters:\n        - { name: id, in: path, required: true, schema: { type: string } }\n",
    );
    let e = errors(&[("a.yaml", &format!("{HEAD}paths:\n{undeclared}{stray}"))]);
    assert!(e.iter().any(|d| d.message.contains("has `{id}` but no path parameter declares it")), "{e:#?}");
    assert!(e.iter().any(|d| d.message.contains("path parameter `id` does not appear in the path `/b`")), "{e:#?}");
}

#[test]
fn unknown_type_is_an_error() {
    let spec = format!("{HEAD}paths: {{}}\ncomponents:\n  schemas:\n    A: {{ type: strin }}\n");
    let e = errors(&[("a.yaml", &spec)]);
    assert!(e.iter().any(|d| d.message.contains("unknown type `strin`") && d.line == 6), "{e:#?}");
}

#[test]
fn required_ref_cycle_is_an_error() {
    let spec = format!(
        "{HEAD}paths: {{}}\ncomponents:\n  schemas:\n    A:\n      type: object\n      required: [b]\n      properties:\n        b: {{ $ref: \"#/components/schemas/B\" }}\n    B:\n      type: object\n      required: [a]\n      properties:\n        a: {{ $ref: \"#/components/schemas/A\" }}\n"
    );
    let e = errors(&[("a.yaml", &spec)]);
    assert!(e.iter().any(|d| d.message.contains("cycle through required fields")), "{e:#?}");
}

#[test]
fn optional_ref_cycle_is_fine() {
    let spec = format!(
        "{HEAD}paths: {{}}\ncomponents:\n  schemas:\n    A:\n      type: object\n      properties:\n        a: {{ $ref: \"#/components/schemas/A\" }}\n"
    );
    let files = vec![("a.yaml".to_owned(), spec)];
    assert!(generate_from_texts(&Config::new("spec"), &files).is_ok());
}

#[test]
fn every_error_of_a_run_is_reported_across_files() {
    let a = format!("{HEAD}paths: {{}}\ncomponents:\n  schemas:\n    A: {{ type: strin }}\n");
    let b = format!("{HEAD}paths:\n{}", op("getB", "/b/{x}", ""));
    let e = errors(&[("b.yaml", &b), ("a.yaml", &a), ("c.yaml", "not: [valid")]);
    let files: Vec<&str> = e.iter().map(|d| d.file.as_str()).collect();
    assert_eq!(files, ["a.yaml", "b.yaml", "c.yaml"], "{e:#?}");
}

#[test]
fn unknown_extension_is_an_error() {
    let spec = format!("{HEAD}paths:\n{}", op("getA", "/a", "      x-ghl-versoin: \"1\"\n"));
    let e = errors(&[("a.yaml", &spec)]);
    assert!(e.iter().any(|d| d.message.contains("unknown extension `x-ghl-versoin`")), "{e:#?}");
}

#[test]
fn garbage_never_panics() {
    for text in
        ["", "[]", "42", "openapi: 3.1.0\npaths: 7\n", "openapi: 3.1.0\npaths:\n  /a: { get: 5 }\n", "openapi: 9\n"]
    {
        let files = vec![("a.yaml".to_owned(), text.to_owned())];
        let _ = generate_from_texts(&Config::new("spec"), &files);
    }
}

fn generate(files: &[(&str, &str)], lenient: bool) -> Result<codegen::Output, Vec<Diagnostic>> {
    let files: Vec<(String, String)> = files.iter().map(|(n, t)| (n.to_string(), t.to_string())).collect();
    generate_from_texts(&Config { lenient, ..Config::new("spec") }, &files)
}

fn warnings(out: &codegen::Output) -> Vec<String> {
    out.warnings.iter().map(ToString::to_string).collect()
}

/// `A: {$ref: B}`, `B: {$ref: A}` used as a union variant, a parameter, a
/// body and a field: each once overflowed the stack (or emitted `type A = B;
/// type B = A;`).
#[test]
fn ref_only_cycles_are_located_errors() {
    let components = "components:\n  schemas:\n    A: { $ref: \"#/components/schemas/B\" }\n    B: { $ref: \"#/components/schemas/A\" }\n    U:\n      oneOf:\n        - { $ref: \"#/components/schemas/A\" }\n        - { type: string }\n    F:\n      type: object\n      properties:\n        a: { $ref: \"#/components/schemas/A\" }\n    L: { type: array, items: { $ref: \"#/components/schemas/L\" } }\n";
    let uses = op(
        "getA",
        "/a",
        "      parameters:\n        - { name: q, in: query, required: true, schema: { $ref: \"#/components/schemas/A\" } }\n",
    )
    .replace("get:", "post:")
    .replace(
        "      responses:",
        "      requestBody:\n        required: true\n        content:\n          application/json:\n            schema: { $ref: \"#/components/schemas/B\" }\n      responses:",
    );
    let spec = format!("{HEAD}paths:\n{uses}{components}");
    let e = errors(&[("s.yaml", &spec)]);
    let cycles: Vec<String> =
        e.iter().filter(|d| d.message.contains("only refers to itself")).map(|d| d.to_string()).collect();
    assert_eq!(cycles.len(), 3, "{e:#?}");
    assert!(
        cycles[0].starts_with("s.yaml:21:5: error: schema `A` only refers to itself through `$ref`s (A -> B -> A)"),
        "{cycles:#?}"
    );
    assert!(cycles[1].starts_with("s.yaml:22:5: error: schema `B`"), "{cycles:#?}");
    assert!(cycles[2].starts_with("s.yaml:31:5: error: schema `L`"), "{cycles:#?}");
}

#[test]
fn duplicate_keys_are_located_errors() {
    let json = r#"{"openapi": "3.1.0", "info": {"title": "T", "version": "1"},
"paths": {
  "/a": {"get": {"operationId": "one", "responses": {"200": {"description": "ok"}}}},
  "/a": {"get": {"operationId": "two", "responses": {"200": {"description": "ok"}}}}
}}"#;
    let e = errors(&[("a.json", json)]);
    assert!(e.iter().any(|d| d.message.starts_with("duplicate key `/a`") && (d.line, d.col) == (4, 3)), "{e:#?}");
    let yaml =
        format!("{HEAD}paths: {{}}\ncomponents:\n  schemas:\n    A: {{ type: string }}\n    A: {{ type: integer }}\n");
    let e = errors(&[("a.yaml", &yaml)]);
    assert!(e.iter().any(|d| d.message.contains("duplicate") && d.line == 7), "{e:#?}");
}

#[test]
fn ref_siblings_that_would_be_lost_are_warned_about() {
    let spec = format!(
        "{HEAD}paths: {{}}\ncomponents:\n  schemas:\n    X: {{ type: integer }}\n    A:\n      type: object\n      properties:\n        b: {{ type: string, $ref: \"#/components/schemas/X\" }}\n"
    );
    let out = generate(&[("a.yaml", &spec)], false).expect("generates");
    let w = warnings(&out);
    assert!(w.iter().any(|w| w.starts_with("a.yaml:10:9: warning: `$ref` beside `type`")), "{w:#?}");
}

#[test]
fn broken_refs_in_error_responses_are_errors() {
    let spec = format!("{HEAD}paths:\n{}", op("getA", "/a", "")).replace(
        "        \"200\": { description: ok }\n",
        "        \"200\": { description: ok }\n        \"400\": { $ref: \"#/components/responses/Nope\" }\n",
    );
    let e = errors(&[("a.yaml", &spec)]);
    assert!(
        e.iter()
            .any(|d| d.message.contains("`#/components/responses/Nope` does not exist") && (d.line, d.col) == (12, 18)),
        "{e:#?}"
    );
}

#[test]
fn name_collisions_get_distinct_names() {
    let spec = format!(
        "{HEAD}paths:\n{}{}components:\n  schemas:\n    Option: {{ type: object, properties: {{ a: {{ type: string }} }} }}\n    String: {{ type: string, enum: [Unknown, Other, x] }}\n    Thing:\n      type: object\n      properties:\n        foo: {{ type: string, nullable: true }}\n        clear_foo: {{ type: string }}\n        new: {{ type: string }}\n        set_new: {{ type: string }}\n        ñame: {{ type: string }}\n",
        op(
            "getA",
            "/a",
            "      parameters:\n        - { name: send, in: query, schema: { type: string } }\n        - { name: to_request, in: query, schema: { type: string } }\n",
        ),
        op("new", "/b", "").replace("get:", "post:").replace(
            "      responses:",
            "      requestBody:\n        content:\n          application/json:\n            schema: { $ref: \"#/components/schemas/Thing\" }\n      responses:"
        ),
    );
    let out = generate(&[("s.yaml", &spec)], false).unwrap_or_else(|e| panic!("{e:#?}"));
    let text = &out.files["s.rs"];
    for expected in [
        "pub struct Option_",
        "pub enum String_",
        "Other2",
        "pub fn clear_foo2(",
        "pub fn set_new2(",
        "pub fn send_param(",
        "pub fn to_request_param(",
        "pub fn new_(",
        "pub ñame:",
    ] {
        assert!(text.contains(expected), "`{expected}` missing:\n{text}");
    }
    assert_unique_methods(text);
}

/// Every `impl` block's methods and every item name are distinct.
fn assert_unique_methods(text: &str) {
    let file = syn::parse_file(text).expect("generated code parses");
    let mut items = std::collections::BTreeSet::new();
    for item in &file.items {
        let name = match item {
            syn::Item::Struct(s) => Some(s.ident.to_string()),
            syn::Item::Enum(e) => Some(e.ident.to_string()),
            syn::Item::Type(t) => Some(t.ident.to_string()),
            _ => None,
        };
        if let Some(name) = name {
            assert!(items.insert(name.clone()), "type `{name}` defined twice");
        }
        if let syn::Item::Impl(i) = item
            && i.trait_.is_none()
        {
            let mut fns = std::collections::BTreeSet::new();
            for f in &i.items {
                if let syn::ImplItem::Fn(f) = f {
                    assert!(fns.insert(f.sig.ident.to_string()), "method `{}` defined twice", f.sig.ident);
                }
            }
        }
    }
}

#[test]
fn recursion_through_a_non_component_ref_is_fine() {
    let spec = format!(
        "{HEAD}paths: {{}}\ncomponents:\n  schemas:\n    Tree:\n      type: object\n      properties:\n        root: {{ $ref: \"#/x-nodes/Node\" }}\nx-nodes:\n  Node:\n    type: object\n    properties:\n      child: {{ $ref: \"#/x-nodes/Node\" }}\n"
    );
    let out = generate(&[("a.yaml", &spec)], false).unwrap_or_else(|e| panic!("{e:#?}"));
    assert!(out.files["a.rs"].contains("Box<TreeRoot>"), "{}", out.files["a.rs"]);
}

#[test]
fn parent_dir_refs_from_the_spec_root_find_common() {
    let common = format!(
        "{HEAD}paths: {{}}\ncomponents:\n  schemas:\n    Err: {{ type: object, properties: {{ m: {{ type: string }} }} }}\n"
    );
    let spec = format!(
        "{HEAD}paths: {{}}\ncomponents:\n  schemas:\n    A: {{ $ref: \"../common/x.yaml#/components/schemas/Err\" }}\n"
    );
    let out = generate(&[("s.yaml", &spec), ("common/x.yaml", &common)], false).unwrap_or_else(|e| panic!("{e:#?}"));
    assert!(out.files["s.rs"].contains("pub type A = crate::common::x::Err_;"), "{}", out.files["s.rs"]);
}

#[test]
fn path_parameters_of_union_type_are_strings() {
    let spec = format!(
        "{HEAD}paths:\n{}",
        op(
            "getA",
            "/a/{{id}}",
            "      parameters:\n        - { name: id, in: path, required: true, schema: { oneOf: [{ type: string }, { type: integer }] } }\n",
        )
        .replace("{{id}}", "{id}")
    );
    let out = generate(&[("a.yaml", &spec)], false).unwrap_or_else(|e| panic!("{e:#?}"));
    let code = &out.files["a.rs"];
    assert!(code.contains("id: impl Into<String>") && code.contains("    id: String,"), "{code}");
    assert!(code.contains("Request::at(&META, &[self.id.as_str()])"), "{code}");
}

#[test]
fn lenient_turns_raw_document_defects_into_warnings() {
    let post = |id: &str, path: &str, body: &str| {
        op(id, path, "").replace("get:", "post:").replace("      responses:", &format!("{body}      responses:"))
    };
    let spec = format!(
        "{HEAD}paths:\n{}{}{}{}components:\n  schemas:\n    W: {{ type: object, properties: {{ a: {{ type: any }}, b: {{ type: array }}, c: {{ $ref: \"#/components/schemas/Gone\" }} }} }}\n",
        op("getA", "/a/{id}", ""),
        post("upload", "/u", "      requestBody:\n        content:\n          multipart/form-data: {}\n"),
        post(
            "sendXml",
            "/x",
            "      requestBody:\n        content:\n          application/xml: { schema: { type: string } }\n"
        ),
        op("getB", "/b", ""),
    );
    let strict = errors(&[("a.yaml", &spec)]);
    for needle in [
        "no path parameter declares it",
        "unknown type `any`",
        "`#/components/schemas/Gone` does not exist",
        "unsupported request body",
        "multipart/form-data` body must be",
    ] {
        assert!(strict.iter().any(|d| d.message.contains(needle)), "strict: {needle}: {strict:#?}");
    }
    let out = generate(&[("a.yaml", &spec)], true).unwrap_or_else(|e| panic!("{e:#?}"));
    let w = warnings(&out);
    assert!(w.iter().any(|w| w.contains("no path parameter declares it; it is declared as a string")), "{w:#?}");
    assert!(
        w.iter().any(|w| w.contains("unsupported request body") && w.contains("the operation is skipped")),
        "{w:#?}"
    );
    let text = &out.files["a.rs"];
    assert!(text.contains("pub fn get_a(&self, id: impl Into<String>)"), "{text}");
    assert!(text.contains("pub fn upload(") && !text.contains("pub fn send_xml("), "{text}");
    assert!(text.contains("pub fn get_b("), "one skipped operation does not sink the document:\n{text}");
    assert!(text.contains("pub b: Vec<serde_json::Value>"), "an untyped list is a list of JSON values:\n{text}");
}

/// A field that is `allOf` its own owner once hoisted a new struct per level, forever.
#[test]
fn all_of_through_the_owner_is_one_recursive_type() {
    let spec = format!(
        "{HEAD}paths: {{}}\ncomponents:\n  schemas:\n    B:\n      type: object\n      properties:\n        x:\n          allOf:\n            - {{ $ref: \"#/components/schemas/B\" }}\n            - {{ type: object, properties: {{ y: {{ type: string }} }} }}\n"
    );
    let out = generate(&[("s.yaml", &spec)], false).unwrap_or_else(|e| panic!("{e:#?}"));
    assert!(out.files["s.rs"].contains("pub x: Option<Box<BX>>"), "{}", out.files["s.rs"]);
}

/// `v3/` and `v3/common/` are both groups: `v3` is declared once, holding `common`.
#[test]
fn nested_groups_share_their_outer_module() {
    let ops = format!("{HEAD}paths:\n{}", op("getA", "/a", ""));
    let common = format!("{HEAD}paths: {{}}\ncomponents:\n  schemas:\n    C: {{ type: string }}\n");
    let out =
        generate(&[("v3/a.yaml", &ops), ("v3/common/c.yaml", &common)], false).unwrap_or_else(|e| panic!("{e:#?}"));
    let root = &out.files["mod.rs"];
    let file = syn::parse_file(root).expect("mod.rs parses");
    let v3: Vec<&syn::ItemMod> = file
        .items
        .iter()
        .filter_map(|i| match i {
            syn::Item::Mod(m) if m.ident == "v3" => Some(m),
            _ => None,
        })
        .collect();
    assert_eq!(v3.len(), 1, "{root}");
    let inner = &v3[0].content.as_ref().expect("inline module").1;
    assert!(
        inner.iter().any(|i| matches!(i, syn::Item::Mod(m) if m.ident == "common" && m.content.is_some())),
        "{root}"
    );
    assert!(inner.iter().any(|i| matches!(i, syn::Item::Mod(m) if m.ident == "a" && m.content.is_none())), "{root}");
}

/// A JSON success body lowered to `serde_json::Value` must say why in a note.
#[test]
fn untyped_success_body_needs_a_note() {
    let body = "      responses:\n        \"200\":\n          description: ok\n          content:\n            application/json:\n              schema: {}\n";
    let untyped = |extra: &str, schema: &str| {
        let op = op("getA", "/a", extra)
            .replace("      responses:\n        \"200\": { description: ok }\n", &body.replace("schema: {}", schema));
        let out = generate(&[("a.yaml", &format!("{HEAD}paths:\n{op}"))], false).expect("generates");
        warnings(&out).into_iter().filter(|w| w.contains("untyped JSON")).count()
    };
    assert_eq!(untyped("", "schema: {}"), 1);
    assert_eq!(untyped("      x-ghl-note: HighLevel documents no body.\n", "schema: {}"), 0);
    assert_eq!(untyped("", "schema: { x-ghl-note: HighLevel documents no body. }"), 0);
    assert_eq!(untyped("", "schema: { type: object, properties: { a: { type: string } } }"), 0);
    // A 2xx without content declares no body.
    let out = generate(&[("a.yaml", &format!("{HEAD}paths:\n{}", op("getA", "/a", "")))], false).expect("generates");
    assert!(!warnings(&out).iter().any(|w| w.contains("untyped JSON")), "{:#?}", warnings(&out));
}

/// `x-ghl-discriminator` mistakes are located errors, not silent raw JSON.
#[test]
fn malformed_sibling_tags_are_errors() {
    let spec = |ext: &str| {
        format!(
            "{HEAD}paths: {{}}\ncomponents:\n  schemas:\n    A: {{ type: object, properties: {{ x: {{ type: string }} }} }}\n    B: {{ type: object, properties: {{ y: {{ type: string }} }} }}\n    P:\n      type: object\n      properties:\n        kind: {{ type: string }}\n        body:\n          oneOf: [{{ $ref: \"#/components/schemas/A\" }}, {{ $ref: \"#/components/schemas/B\" }}]\n          x-ghl-discriminator: {ext}\n"
        )
    };
    let ok = "{ sibling: kind, mapping: { a: \"#/components/schemas/A\", b: \"#/components/schemas/B\" } }";
    assert!(generate(&[("a.yaml", &spec(ok))], false).is_ok());
    for (ext, expected) in [
        (
            "{ sibling: nope, mapping: { a: \"#/components/schemas/A\", b: \"#/components/schemas/B\" } }",
            "not another property",
        ),
        (
            "{ sibling: body, mapping: { a: \"#/components/schemas/A\", b: \"#/components/schemas/B\" } }",
            "not another property",
        ),
        (
            "{ sibling: kind, mapping: { a: \"#/components/schemas/A\" } }",
            "no `x-ghl-discriminator` mapping names this variant",
        ),
        (
            "{ sibling: kind, mapping: { a: \"#/components/schemas/A\", b: \"#/components/schemas/B\", c: \"#/components/schemas/P\" } }",
            "must be the `$ref` of one of",
        ),
        ("{ sibling: kind }", "expected `{ sibling"),
        ("{ sibling: kind, mapping: {}, propertyName: kind }", "expected `{ sibling"),
    ] {
        let e = errors(&[("a.yaml", &spec(ext))]);
        assert!(e.iter().any(|d| d.message.contains(expected)), "{ext}: {e:#?}");
    }
    let on_component = format!(
        "{HEAD}paths: {{}}\ncomponents:\n  schemas:\n    A: {{ type: object, properties: {{ x: {{ type: string }} }} }}\n    U:\n      oneOf: [{{ $ref: \"#/components/schemas/A\" }}]\n      x-ghl-discriminator: {{ sibling: kind, mapping: {{ a: \"#/components/schemas/A\" }} }}\n"
    );
    let e = errors(&[("a.yaml", &on_component)]);
    assert!(e.iter().any(|d| d.message.contains("belongs on an object's property")), "{e:#?}");
}
