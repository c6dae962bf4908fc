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
