//! `--all`: every page of a paged operation, each item printed as one JSON
//! line as soon as its page arrives. Pages are moved on with the runtime's
//! rules ([`next_offset`], [`next_page`], [`cursor_moved`]), read from the
//! paging description the generator put in the table.

use std::io::Write as _;

use serde_json::Value;

use crate::Client;
use crate::cli::args::Input;
use crate::cli::output::{Failure, Printer};
use crate::cli::table::{CliOperation, PagingStyle};
use crate::runtime::pagination::{cursor_moved, next_offset, next_page};

/// The value at a path of wire names.
pub fn at<'a>(v: &'a Value, path: &[&str]) -> Option<&'a Value> {
    path.iter().try_fold(v, |v, key| v.get(key))
}

/// A whole number from a JSON number or numeric string.
fn int(v: Option<&Value>) -> Option<i64> {
    match v? {
        Value::Number(n) => n.as_i64().or_else(|| n.as_f64().map(|f| f as i64)),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// Fetches every page of `op` starting from `input`, printing items as JSON lines.
pub async fn all(
    client: &Client,
    op: &'static CliOperation,
    mut input: Input,
    printer: &Printer,
) -> Result<(), Failure> {
    let Some(paging) = &op.paging else {
        return Err(Failure::usage(format!("`{}` does not page", op.command)));
    };
    let mut fetched = 0usize;
    let mut pages = 0usize;
    let result = async {
        loop {
            let page = client.execute::<Value>(input.request(op)?).await?.body;
            pages += 1;
            let items = at(&page, paging.items).and_then(Value::as_array).cloned().unwrap_or_default();
            for item in &items {
                printer.line(item)?;
            }
            fetched += items.len();
            if printer.progress {
                eprint!("\rghl: {fetched} items, {pages} pages");
                let _ = std::io::stderr().flush();
            }
            let limit = paging.limit.and_then(|l| int(input.get(l, paging.in_body)));
            let total = paging.total.and_then(|t| int(at(&page, t)));
            let next = match &paging.style {
                PagingStyle::Offset(name) => {
                    next_offset(int(input.get(name, paging.in_body)), limit, items.len(), total)
                        .map(|n| vec![(*name, Value::from(n))])
                }
                PagingStyle::Page(name) => next_page(int(input.get(name, paging.in_body)), limit, items.len(), total)
                    .map(|n| vec![(*name, Value::from(n))]),
                PagingStyle::Cursor(cursors) => {
                    let mut moved = false;
                    let mut next = Vec::new();
                    for c in cursors.iter() {
                        let source = if c.from_last_item { items.last() } else { Some(&page) };
                        let value = source.and_then(|s| at(s, c.path)).filter(|v| !v.is_null()).cloned();
                        moved |= cursor_moved(input.get(c.param, paging.in_body), value.as_ref());
                        if let Some(v) = value {
                            next.push((c.param, v));
                        }
                    }
                    (moved && !items.is_empty()).then_some(next)
                }
            };
            match next {
                Some(changes) if !items.is_empty() => {
                    for (name, value) in changes {
                        input.set(op, name, value, paging.in_body);
                    }
                }
                _ => return Ok::<(), Failure>(()),
            }
        }
    }
    .await;
    if printer.progress {
        eprintln!();
    }
    result
}
