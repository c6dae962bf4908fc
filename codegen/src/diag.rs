//! Diagnostics: every problem found in a run, located as `file:line:col`.

use std::fmt;

/// How bad a diagnostic is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// Generation cannot proceed.
    Error,
    /// A house rule is broken; generation proceeds (`cargo xtask lint` fails).
    Warning,
}

/// One problem, at a JSON pointer inside a spec file.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Diagnostic {
    /// Spec file, relative to the spec directory.
    pub file: String,
    /// 1-based line and column, when they could be found.
    pub line: usize,
    /// 1-based column.
    pub col: usize,
    /// Error or warning.
    pub severity: Severity,
    /// JSON pointer of the offending node.
    pub pointer: String,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(f, "{}:{}:{}: {kind}: {}", self.file, self.line, self.col, self.message)?;
        if !self.pointer.is_empty() {
            write!(f, " (at #{})", self.pointer)?;
        }
        Ok(())
    }
}

/// Collects diagnostics; positions are filled in at the end, file by file.
#[derive(Debug, Default)]
pub struct Diagnostics {
    items: Vec<Diagnostic>,
}

impl Diagnostics {
    /// Records an error at `pointer` in `file`.
    pub fn error(&mut self, file: &str, pointer: &str, message: impl Into<String>) {
        self.push(file, pointer, Severity::Error, message.into());
    }

    /// Records a warning at `pointer` in `file`.
    pub fn warning(&mut self, file: &str, pointer: &str, message: impl Into<String>) {
        self.push(file, pointer, Severity::Warning, message.into());
    }

    /// Records an error whose position is already known (e.g. a YAML syntax error).
    pub fn error_at(&mut self, file: &str, line: usize, col: usize, message: impl Into<String>) {
        self.items.push(Diagnostic {
            file: file.to_owned(),
            line,
            col,
            severity: Severity::Error,
            pointer: String::new(),
            message: message.into(),
        });
    }

    fn push(&mut self, file: &str, pointer: &str, severity: Severity, message: String) {
        self.items.push(Diagnostic {
            file: file.to_owned(),
            line: 0,
            col: 0,
            severity,
            pointer: pointer.to_owned(),
            message,
        });
    }

    /// Moves `other`'s diagnostics to the end of these.
    pub fn append(&mut self, mut other: Diagnostics) {
        self.items.append(&mut other.items);
    }

    /// True when any error was recorded.
    pub fn has_errors(&self) -> bool {
        self.items.iter().any(|d| d.severity == Severity::Error)
    }

    /// Fills in line and column from each file's text, sorts (errors first)
    /// and dedups.
    pub fn finish(mut self, text_of: impl Fn(&str) -> Option<String>) -> Vec<Diagnostic> {
        let mut files: Vec<String> = self.items.iter().filter(|d| d.line == 0).map(|d| d.file.clone()).collect();
        files.sort();
        files.dedup();
        for file in files {
            let index = text_of(&file).map(|t| crate::position::PositionIndex::build(&t));
            for d in self.items.iter_mut().filter(|d| d.file == file && d.line == 0) {
                let (line, col) = index.as_ref().map_or((1, 1), |i| i.locate(&d.pointer));
                d.line = line;
                d.col = col;
            }
        }
        // Errors first, then warnings; each by place.
        self.items.sort_by(|a, b| (a.severity, a).cmp(&(b.severity, b)));
        self.items.dedup();
        self.items
    }
}

/// Escapes one JSON-pointer segment.
pub fn escape_segment(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

/// `base/segment`, escaped.
pub fn join(base: &str, segment: impl fmt::Display) -> String {
    format!("{base}/{}", escape_segment(&segment.to_string()))
}
