//! Maps JSON pointers to line and column in a YAML or JSON text.
//!
//! serde_yaml keeps no positions, so when a run has diagnostics the file is
//! parsed a second time with yaml-rust2's event parser, which does.

use std::collections::HashMap;

use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::Marker;

/// Pointer → (line, col), both 1-based.
pub struct PositionIndex {
    positions: HashMap<String, (usize, usize)>,
}

/// One open mapping or sequence. The segments are kept unjoined: most runs
/// only look for duplicate keys and never need a pointer string.
enum Frame {
    Map { segment: String, key: Option<String>, seen: std::collections::HashSet<String> },
    Seq { segment: String, index: usize },
}

struct Builder {
    stack: Vec<Frame>,
    /// Whether to index every node (for diagnostics) or only find duplicates.
    record: bool,
    positions: HashMap<String, (usize, usize)>,
    /// Keys met twice in one mapping: (pointer, line, col) of the later one.
    duplicates: Vec<(String, usize, usize)>,
}

impl Frame {
    fn segment(&self) -> &str {
        match self {
            Frame::Map { segment, .. } | Frame::Seq { segment, .. } => segment,
        }
    }
}

impl Builder {
    /// The JSON pointer of the open frames plus `last`.
    fn pointer(&self, last: &str) -> String {
        let mut p = String::new();
        for frame in self.stack.iter().skip(1) {
            p.push('/');
            p.push_str(frame.segment());
        }
        if !self.stack.is_empty() {
            p.push('/');
            p.push_str(last);
        }
        p
    }

    /// The pointer segment of the node that starts now, advancing the parent's
    /// state; `None` when the node is a mapping key.
    fn next_segment(&mut self, is_scalar: bool, value: Option<&str>, mark: Marker) -> Option<String> {
        match self.stack.last_mut() {
            None => Some(String::new()),
            Some(Frame::Seq { index, .. }) => {
                let segment = index.to_string();
                *index += 1;
                Some(segment)
            }
            Some(Frame::Map { key, seen, .. }) => match key.take() {
                Some(k) => Some(crate::diag::escape_segment(&k)),
                None => {
                    // This node is a key: remember it, and point at the key itself.
                    if is_scalar {
                        let k = value.unwrap_or_default().to_owned();
                        let fresh = seen.insert(k.clone());
                        let segment = crate::diag::escape_segment(&k);
                        let position = (mark.line(), mark.col() + 1);
                        if let Some(Frame::Map { key, .. }) = self.stack.last_mut() {
                            *key = Some(k);
                        }
                        if !fresh {
                            let p = self.pointer(&segment);
                            self.duplicates.push((p, position.0, position.1));
                        }
                        if self.record {
                            let p = self.pointer(&segment);
                            self.positions.entry(p).or_insert(position);
                        }
                    }
                    None
                }
            },
        }
    }

    fn record(&mut self, segment: &str, mark: Marker) {
        if self.record {
            let p = self.pointer(segment);
            self.positions.entry(p).or_insert((mark.line(), mark.col() + 1));
        }
    }
}

impl MarkedEventReceiver for Builder {
    fn on_event(&mut self, ev: Event, mark: Marker) {
        match ev {
            Event::Scalar(value, ..) => {
                if let Some(segment) = self.next_segment(true, Some(&value), mark) {
                    self.record(&segment, mark);
                }
            }
            Event::SequenceStart(..) => {
                let segment = self.next_segment(false, None, mark).unwrap_or_default();
                self.record(&segment, mark);
                self.stack.push(Frame::Seq { segment, index: 0 });
            }
            Event::MappingStart(..) => {
                let segment = self.next_segment(false, None, mark).unwrap_or_default();
                self.record(&segment, mark);
                self.stack.push(Frame::Map { segment, key: None, seen: Default::default() });
            }
            Event::SequenceEnd | Event::MappingEnd => {
                self.stack.pop();
            }
            _ => {}
        }
    }
}

fn scan(text: &str, record: bool) -> Builder {
    let mut builder = Builder { stack: Vec::new(), record, positions: HashMap::new(), duplicates: Vec::new() };
    let mut parser = Parser::new_from_str(text);
    // A syntax error was already reported by the loader; keep what was indexed.
    let _ = parser.load(&mut builder, false);
    builder
}

/// Keys that occur twice in one mapping (JSON parsers keep only the last
/// one): the later occurrence's pointer, line and column.
pub fn duplicate_keys(text: &str) -> Vec<(String, usize, usize)> {
    scan(text, false).duplicates
}

impl PositionIndex {
    /// Indexes `text`. A text that does not parse yields an empty index.
    pub fn build(text: &str) -> Self {
        PositionIndex { positions: scan(text, true).positions }
    }

    /// Position of exactly `pointer` (a mapping key's own position).
    pub fn get(&self, pointer: &str) -> Option<(usize, usize)> {
        self.positions.get(pointer).copied()
    }

    /// Position of `pointer`, or of its nearest indexed ancestor.
    pub fn locate(&self, pointer: &str) -> (usize, usize) {
        let mut p = pointer;
        loop {
            if let Some(&pos) = self.positions.get(p) {
                return pos;
            }
            match p.rfind('/') {
                Some(i) => p = &p[..i],
                None => return (1, 1),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locates_keys_items_and_flow_nodes() {
        let text = "a:\n  b:\n    - x\n    - { c: 1 }\n\"d/e\": 2\n";
        let index = PositionIndex::build(text);
        assert_eq!(index.locate("/a/b"), (2, 3));
        assert_eq!(index.locate("/a/b/1/c"), (4, 9));
        assert_eq!(index.locate("/d~1e"), (5, 1));
        assert_eq!(index.locate("/a/b/7/zz"), (2, 3));
    }

    #[test]
    fn finds_duplicate_keys() {
        let text = "{\n  \"paths\": {\n    \"/a\": {},\n    \"/b\": {},\n    \"/a\": {}\n  }\n}\n";
        assert_eq!(duplicate_keys(text), [("/paths/~1a".to_owned(), 5, 5)]);
        assert!(duplicate_keys("a: 1\nb: { a: 2 }\n").is_empty());
    }

    #[test]
    fn works_on_json() {
        let text = "{\n  \"paths\": {\n    \"/x\": {\"get\": {}}\n  }\n}\n";
        let index = PositionIndex::build(text);
        assert_eq!(index.locate("/paths/~1x/get"), (3, 12));
    }
}
