//! The public surface of `ghl-client`, recorded in `ghl-client/public-api.txt`
//! so that every change to it shows up in review.
//!
//! A syn walk of the crate's sources (stable toolchain, no rustdoc JSON):
//! the hand-written runtime item by item, with signatures; the generated
//! modules as counts per module (spec-diff reports their details). Items
//! marked `#[doc(hidden)]` are the generator's interface and are left out.
//!
//! After an intended change: `UPDATE_PUBLIC_API=1 cargo test -p tests --test public_api`.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use quote::ToTokens;
use syn::{Attribute, Item, Visibility};

fn crate_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("workspace root").join("ghl-client")
}

fn parse(path: &Path) -> syn::File {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    syn::parse_file(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn is_pub(vis: &Visibility) -> bool {
    matches!(vis, Visibility::Public(_))
}

fn hidden(attrs: &[Attribute]) -> bool {
    attrs.iter().any(|a| {
        (a.path().is_ident("doc") && a.to_token_stream().to_string().contains("hidden"))
            || (a.path().is_ident("cfg") && a.to_token_stream().to_string().contains("test"))
    })
}

/// ` #[cfg(...)]` / ` #[non_exhaustive]` markers worth recording.
fn markers(attrs: &[Attribute]) -> String {
    let mut out = String::new();
    for a in attrs {
        if a.path().is_ident("cfg") || a.path().is_ident("non_exhaustive") || a.path().is_ident("deprecated") {
            out.push(' ');
            out.push_str(&squash(&a.to_token_stream().to_string()));
        }
    }
    out
}

/// Token text with the spaces `to_string` puts around punctuation removed.
fn squash(text: &str) -> String {
    let mut s = text.split_whitespace().collect::<Vec<_>>().join(" ");
    for (from, to) in [
        (" :: ", "::"),
        (":: ", "::"),
        (" ::", "::"),
        ("& ", "&"),
        (" ,", ","),
        ("( ", "("),
        (" )", ")"),
        (" <", "<"),
        ("< ", "<"),
        (" >", ">"),
        ("# [", "#["),
        ("[ ", "["),
        (" ]", "]"),
        ("' ", "'"),
        (" ;", ";"),
        (" : ", ": "),
        (",)", ")"),
        (", }", " }"),
        (" ?", "?"),
        (" (", "("),
        ("! (", "!("),
    ] {
        s = s.replace(from, to);
    }
    s.replace("->", " -> ").replace("  ", " ").replace("> =", ">=").replace("dyn(", "dyn (")
}

fn sig(sig: &syn::Signature) -> String {
    squash(&sig.to_token_stream().to_string())
}

/// The file of module `name` declared in `dir` (the directory of its parent's children).
fn module_file(dir: &Path, name: &str) -> PathBuf {
    let flat = dir.join(format!("{name}.rs"));
    if flat.exists() { flat } else { dir.join(name).join("mod.rs") }
}

struct Walker {
    lines: Vec<String>,
    /// Every `pub use` line of the hand-written sources: a private module is
    /// walked when one of them re-exports from it.
    uses: Vec<String>,
}

impl Walker {
    fn module(&mut self, path: &str, file: &syn::File, dir: &Path) {
        for item in &file.items {
            self.item(path, item, dir);
        }
    }

    fn reexported(&self, module: &str) -> bool {
        let (inner, head) = (format!("::{module}::"), format!("{module}::"));
        self.uses.iter().any(|u| u.starts_with(&head) || u.contains(&inner))
    }

    fn push(&mut self, line: String) {
        self.lines.push(line);
    }

    fn item(&mut self, path: &str, item: &Item, dir: &Path) {
        let join =
            |name: &dyn std::fmt::Display| if path.is_empty() { name.to_string() } else { format!("{path}::{name}") };
        match item {
            Item::Mod(m) if !hidden(&m.attrs) => {
                let name = m.ident.to_string();
                let walk = is_pub(&m.vis) || self.reexported(&name);
                if !walk {
                    return;
                }
                let here = join(&name);
                if is_pub(&m.vis) {
                    self.push(format!("mod {here}{}", markers(&m.attrs)));
                }
                if name == "generated" {
                    self.generated(&module_file(dir, &name));
                    return;
                }
                match &m.content {
                    Some((_, items)) => {
                        let file = syn::File { shebang: None, attrs: vec![], items: items.clone() };
                        self.module(&here, &file, &dir.join(&name));
                    }
                    None => {
                        let f = module_file(dir, &name);
                        self.module(&here, &parse(&f), &dir.join(&name));
                    }
                }
            }
            Item::Use(u) if is_pub(&u.vis) && !hidden(&u.attrs) => {
                self.push(format!(
                    "use {}{} (in {})",
                    squash(&u.tree.to_token_stream().to_string()),
                    markers(&u.attrs),
                    if path.is_empty() { "crate" } else { path }
                ));
            }
            Item::Fn(f) if is_pub(&f.vis) && !hidden(&f.attrs) => {
                self.push(format!("fn {}: {}{}", join(&f.sig.ident), sig(&f.sig), markers(&f.attrs)));
            }
            Item::Struct(s) if is_pub(&s.vis) && !hidden(&s.attrs) => {
                let name = join(&s.ident);
                self.push(format!(
                    "struct {name}{}{}",
                    squash(&s.generics.to_token_stream().to_string()),
                    markers(&s.attrs)
                ));
                for f in s.fields.iter().filter(|f| is_pub(&f.vis) && !hidden(&f.attrs)) {
                    let field = f.ident.as_ref().map_or_else(|| "0".to_owned(), ToString::to_string);
                    self.push(format!("field {name}::{field}: {}", squash(&f.ty.to_token_stream().to_string())));
                }
            }
            Item::Enum(e) if is_pub(&e.vis) && !hidden(&e.attrs) => {
                let name = join(&e.ident);
                self.push(format!(
                    "enum {name}{}{}",
                    squash(&e.generics.to_token_stream().to_string()),
                    markers(&e.attrs)
                ));
                for v in e.variants.iter().filter(|v| !hidden(&v.attrs)) {
                    let fields = squash(&v.fields.to_token_stream().to_string());
                    self.push(format!("variant {name}::{}{fields}", v.ident));
                }
            }
            Item::Trait(t) if is_pub(&t.vis) && !hidden(&t.attrs) => {
                let name = join(&t.ident);
                self.push(format!("trait {name}{}", markers(&t.attrs)));
                for i in &t.items {
                    match i {
                        syn::TraitItem::Fn(f) if !hidden(&f.attrs) => {
                            self.push(format!("trait-fn {name}::{}: {}", f.sig.ident, sig(&f.sig)));
                        }
                        syn::TraitItem::Type(ty) if !hidden(&ty.attrs) => {
                            self.push(format!("trait-type {name}::{}", ty.ident));
                        }
                        _ => {}
                    }
                }
            }
            Item::Type(t) if is_pub(&t.vis) && !hidden(&t.attrs) => {
                self.push(format!("type {} = {}", join(&t.ident), squash(&t.ty.to_token_stream().to_string())));
            }
            Item::Const(c) if is_pub(&c.vis) && !hidden(&c.attrs) => {
                self.push(format!("const {}: {}", join(&c.ident), squash(&c.ty.to_token_stream().to_string())));
            }
            Item::Static(s) if is_pub(&s.vis) && !hidden(&s.attrs) => {
                self.push(format!("static {}: {}", join(&s.ident), squash(&s.ty.to_token_stream().to_string())));
            }
            Item::Impl(imp) if !hidden(&imp.attrs) => {
                let self_ty = squash(&imp.self_ty.to_token_stream().to_string());
                let owner = if self_ty.contains("::") { self_ty.clone() } else { join(&self_ty) };
                match &imp.trait_ {
                    Some((_, tr, _)) => {
                        let tr = squash(&tr.to_token_stream().to_string());
                        self.push(format!("impl {tr} for {owner}"));
                    }
                    None => {
                        for i in &imp.items {
                            if let syn::ImplItem::Fn(f) = i
                                && is_pub(&f.vis)
                                && !hidden(&f.attrs)
                            {
                                self.push(format!("fn {owner}::{}: {}{}", f.sig.ident, sig(&f.sig), markers(&f.attrs)));
                            }
                            if let syn::ImplItem::Const(c) = i
                                && is_pub(&c.vis)
                                && !hidden(&c.attrs)
                            {
                                self.push(format!("const {owner}::{}", c.ident));
                            }
                        }
                    }
                }
            }
            Item::Macro(m) if m.attrs.iter().any(|a| a.path().is_ident("macro_export")) => {
                if let Some(id) = &m.ident {
                    self.push(format!("macro {id}!"));
                }
            }
            _ => {}
        }
    }

    /// The generated modules, counted: `generated <module>: N operations, N types`.
    fn generated(&mut self, root: &Path) {
        let dir = root.parent().expect("generated/ directory");
        let mut files = Vec::new();
        collect(dir, &mut files);
        let mut counts: BTreeMap<String, (usize, usize)> = BTreeMap::new();
        for f in files {
            let rel = f.strip_prefix(dir).unwrap_or(&f).with_extension("");
            let module = rel.to_string_lossy().replace(std::path::MAIN_SEPARATOR, "::");
            if module == "mod" {
                continue;
            }
            let file = parse(&f);
            let entry = counts.entry(module).or_default();
            for item in &file.items {
                match item {
                    Item::Struct(s) if is_pub(&s.vis) && !hidden(&s.attrs) => entry.1 += 1,
                    Item::Enum(e) if is_pub(&e.vis) && !hidden(&e.attrs) => entry.1 += 1,
                    Item::Type(t) if is_pub(&t.vis) && !hidden(&t.attrs) => entry.1 += 1,
                    // The module handle (made by `pub(crate) fn new(client)`): one method per operation.
                    Item::Impl(imp) if imp.trait_.is_none() && is_handle(imp) => {
                        entry.0 +=
                            imp.items.iter().filter(|i| matches!(i, syn::ImplItem::Fn(f) if is_pub(&f.vis))).count();
                    }
                    _ => {}
                }
            }
        }
        for (module, (ops, types)) in counts {
            self.push(format!("generated {module}: {ops} operations, {types} types"));
        }
    }
}

/// Whether an impl is a module handle's: it has `pub(crate) fn new(client: crate::Client)`.
fn is_handle(imp: &syn::ItemImpl) -> bool {
    imp.items.iter().any(|i| {
        matches!(i, syn::ImplItem::Fn(f)
            if f.sig.ident == "new"
                && matches!(f.vis, Visibility::Restricted(_))
                && f.sig.inputs.len() == 1
                && f.sig.inputs.to_token_stream().to_string().contains("Client"))
    })
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir).expect("readable dir").flatten().map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            collect(&p, out);
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push(p);
        }
    }
}

fn listing() -> String {
    let src = crate_dir().join("src");
    let mut sources = Vec::new();
    collect(&src, &mut sources);
    let uses = sources
        .iter()
        .filter(|p| !p.components().any(|c| c.as_os_str() == "generated"))
        .flat_map(|p| {
            let text = std::fs::read_to_string(p).expect("readable source");
            text.lines()
                .map(str::trim)
                .filter(|l| l.starts_with("pub use "))
                .map(|l| l[8..].to_owned())
                .collect::<Vec<_>>()
        })
        .collect();
    let mut walker = Walker { lines: Vec::new(), uses };
    walker.module("", &parse(&src.join("lib.rs")), &src);
    let mut out = String::from(
        "# The public API of ghl-client (tests/tests/public_api.rs).\n\
         # Update after an intended change: UPDATE_PUBLIC_API=1 cargo test -p tests --test public_api\n",
    );
    // Trait impls of types that are not public themselves say nothing about the API.
    let types: std::collections::BTreeSet<String> = walker
        .lines
        .iter()
        .filter_map(|l| l.strip_prefix("struct ").or_else(|| l.strip_prefix("enum ")))
        .map(|l| l.split([' ', '<']).next().unwrap_or_default().to_owned())
        .collect();
    walker.lines.retain(|l| match l.strip_prefix("impl ").and_then(|l| l.rsplit_once(" for ")) {
        Some((_, ty)) => types.contains(ty.split('<').next().unwrap_or_default()),
        None => true,
    });
    walker.lines.sort();
    walker.lines.dedup();
    for l in walker.lines {
        let _ = writeln!(out, "{l}");
    }
    out
}

#[test]
fn public_api_matches_the_recorded_listing() {
    let path = crate_dir().join("public-api.txt");
    let now = listing();
    if std::env::var_os("UPDATE_PUBLIC_API").is_some() {
        std::fs::write(&path, &now).expect("write public-api.txt");
        return;
    }
    let recorded = std::fs::read_to_string(&path).unwrap_or_default();
    if recorded != now {
        let old: std::collections::BTreeSet<&str> = recorded.lines().collect();
        let new: std::collections::BTreeSet<&str> = now.lines().collect();
        let mut diff = String::new();
        for l in old.difference(&new) {
            let _ = writeln!(diff, "- {l}");
        }
        for l in new.difference(&old) {
            let _ = writeln!(diff, "+ {l}");
        }
        panic!(
            "the public API changed; if intended, run `UPDATE_PUBLIC_API=1 cargo test -p tests --test public_api` \
             and commit ghl-client/public-api.txt:\n{diff}"
        );
    }
}

#[test]
fn generator_only_items_are_not_listed() {
    let now = listing();
    for hidden in ["fn Request::new", "fn path_segment", "trait-fn Paginated::advance", "SampleCall", "fn next_offset"]
    {
        assert!(!now.lines().any(|l| l.contains(hidden)), "`{hidden}` is generator-only but listed");
    }
    for public in
        ["struct runtime::client::Client", "Client::with_deadline", "ClientBuilder::http_client", "WebhookVerifier"]
    {
        assert!(now.lines().any(|l| l.contains(public)), "`{public}` is public but not listed");
    }
}
