//! What users read: rustdoc generated from the spec, the crate's hand-written
//! docs and the README's user part. Doc lines read as prose (`/// text`, not
//! `///text`) and maintainer material (SKILL.md, where the spec came from)
//! stays out.

use std::path::{Path, PathBuf};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("workspace root")
}

/// The generator's output for today's spec: `(file, text)`.
fn generated() -> Vec<(String, String)> {
    let output = codegen::generate(&codegen::Config::new(root().join("spec"))).unwrap_or_else(|diags| {
        let lines: Vec<String> = diags.iter().map(ToString::to_string).collect();
        panic!("the spec does not generate:\n{}", lines.join("\n"))
    });
    output.files.into_iter().map(|(name, text)| (name.to_string(), text)).collect()
}

/// `(where, line)` of every doc comment line of a Rust file.
fn doc_lines<'a>(file: &'a str, text: &'a str) -> impl Iterator<Item = (String, &'a str)> + 'a {
    text.lines().enumerate().filter_map(move |(i, line)| {
        let t = line.trim_start();
        (t.starts_with("///") || t.starts_with("//!")).then(|| (format!("{file}:{}", i + 1), t))
    })
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("readable source dir").flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs" || e == "md") {
            out.push(path);
        }
    }
}

#[test]
fn generated_doc_lines_have_a_space_after_the_slashes() {
    let mut bad = Vec::new();
    for (file, text) in generated().iter().filter(|(f, _)| f.ends_with(".rs")) {
        for (at, line) in doc_lines(file, text) {
            let rest = &line[3..];
            if !rest.is_empty() && !rest.starts_with(' ') && !rest.starts_with('/') {
                bad.push(format!("{at}: {line}"));
            }
        }
    }
    assert!(
        bad.is_empty(),
        "{} doc line(s) lack the space after `///`, e.g.:\n{}",
        bad.len(),
        bad[..bad.len().min(10)].join("\n")
    );
}

#[test]
fn user_docs_do_not_mention_maintainer_sources() {
    let mut bad = Vec::new();
    for (file, text) in generated() {
        let lines: Vec<(String, &str)> = if file.ends_with(".md") {
            text.lines().enumerate().map(|(i, l)| (format!("{file}:{}", i + 1), l)).collect()
        } else {
            doc_lines(&file, &text).collect()
        };
        bad.extend(lines.into_iter().filter(|(_, l)| l.contains("SKILL")).map(|(at, l)| format!("{at}: {l}")));
    }
    let mut hand_written = Vec::new();
    rust_files(&root().join("ghl-client/src"), &mut hand_written);
    for path in hand_written.iter().filter(|p| !p.components().any(|c| c.as_os_str() == "generated")) {
        let text = std::fs::read_to_string(path).expect("readable source");
        let name = path.strip_prefix(root()).unwrap_or(path).display().to_string();
        let lines: Vec<(String, &str)> = if name.ends_with(".md") {
            text.lines().enumerate().map(|(i, l)| (format!("{name}:{}", i + 1), l)).collect()
        } else {
            doc_lines(&name, &text).collect()
        };
        bad.extend(lines.into_iter().filter(|(_, l)| l.contains("SKILL")).map(|(at, l)| format!("{at}: {l}")));
    }
    // The README up to its maintainer sections (the crate's page on crates.io).
    let readme = std::fs::read_to_string(root().join("README.md")).expect("README.md");
    let user_part = readme.split("\n## Layout").next().unwrap_or_default();
    bad.extend(
        user_part
            .lines()
            .enumerate()
            .filter(|(_, l)| l.contains("SKILL"))
            .map(|(i, l)| format!("README.md:{}: {l}", i + 1)),
    );
    assert!(bad.is_empty(), "user docs mention SKILL.md:\n{}", bad.join("\n"));
}

#[test]
fn fields_without_a_description_are_described() {
    // A field doc that is only its wire name (`/// \`name\``) says nothing.
    let mut bad = Vec::new();
    let mut fields = 0;
    for (file, text) in generated().iter().filter(|(f, _)| f.ends_with(".rs")) {
        let lines: Vec<&str> = text.lines().map(str::trim_start).collect();
        for (i, line) in lines.iter().enumerate() {
            let Some(rest) = line.strip_prefix("/// ") else { continue };
            // The item this doc belongs to: the next line that is not a doc or an attribute.
            let item =
                lines[i + 1..].iter().find(|l| !l.starts_with("///") && !l.starts_with('#') && !l.starts_with(')'));
            if !item.is_some_and(|l| l.starts_with("pub ") && l.ends_with(',') && l.contains(": ")) {
                continue;
            }
            fields += 1;
            let inner = rest.trim().strip_prefix('`').and_then(|r| r.strip_suffix('`'));
            if inner.is_some_and(|n| !n.contains('`')) {
                bad.push(format!("{file}:{}: {line}", i + 1));
            }
        }
    }
    assert!(fields > 1000, "the scan finds the struct fields ({fields})");
    assert!(
        bad.is_empty(),
        "{} field doc(s) are only a name, e.g.:\n{}",
        bad.len(),
        bad[..bad.len().min(10)].join("\n")
    );
}
