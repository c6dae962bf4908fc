//! The shape of the generated operation table (`generated/cli_table.rs`):
//! static facts about each operation, enough to build a [`crate::Request`]
//! from command-line arguments and to print its help.

use crate::OperationMeta;

/// One operation as a command: `ghl [--v3] <module> <command>`.
#[derive(Debug)]
pub struct CliOperation {
    /// The spec directory it comes from (`""` for the top level, `"v3"`).
    pub group: &'static str,
    /// Module command name (`custom-fields`).
    pub module: &'static str,
    /// Operation command name: the operationId in kebab case (`get-contact`).
    pub command: &'static str,
    /// What the runtime needs: operationId, method, path, `Version`, token kind, scopes.
    pub meta: OperationMeta,
    /// One-line summary.
    pub summary: &'static str,
    /// Parameters: path ones first, in path order.
    pub params: &'static [CliParam],
    /// The request body, if the operation takes one.
    pub body: Option<CliBody>,
    /// What a success returns.
    pub success: SuccessKind,
    /// How the operation pages, if it does.
    pub paging: Option<CliPaging>,
    /// Not in HighLevel's published docs.
    pub undocumented: bool,
    /// Marked deprecated.
    pub deprecated: bool,
}

/// Where a parameter goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParamIn {
    /// A path segment.
    Path,
    /// A query pair.
    Query,
    /// A header.
    Header,
}

/// How a parameter's value is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParamEncoding {
    /// As given.
    Text,
    /// One pair per list element.
    Each,
    /// List elements joined by commas in one pair.
    Comma,
    /// As JSON text.
    Json,
}

/// The kind of a scalar value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ValueKind {
    /// Text.
    String,
    /// Text never to be shown.
    Secret,
    /// A whole number.
    Integer,
    /// A number.
    Number,
    /// `true` or `false`.
    Boolean,
    /// Any JSON (objects, maps, nested lists).
    Json,
    /// A file (multipart bodies).
    File,
}

/// A value's kind, whether it is a list, and its allowed values (string enums).
#[derive(Clone, Copy, Debug)]
pub struct Shape {
    /// Element kind.
    pub kind: ValueKind,
    /// A list of such elements.
    pub list: bool,
    /// The documented values of a string enum (others are still sent).
    pub values: &'static [&'static str],
}

/// One parameter.
#[derive(Debug)]
pub struct CliParam {
    /// Name on the wire.
    pub name: &'static str,
    /// Its `--flag` (kebab case, unique in the operation).
    pub flag: &'static str,
    /// Where it goes.
    pub location: ParamIn,
    /// Required by the spec.
    pub required: bool,
    /// Its type.
    pub shape: Shape,
    /// How it is written.
    pub encoding: ParamEncoding,
    /// Filled from `GHL_LOCATION_ID` when not given.
    pub from_location: bool,
    /// One-line description.
    pub help: &'static str,
}

/// Encoding of a request body.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BodyEncoding {
    /// JSON.
    Json,
    /// `application/x-www-form-urlencoded`.
    Form,
    /// `multipart/form-data`.
    Multipart,
}

/// A request body.
#[derive(Debug)]
pub struct CliBody {
    /// Its encoding.
    pub encoding: BodyEncoding,
    /// Must be sent.
    pub required: bool,
    /// Top-level fields, when the body is an object.
    pub fields: &'static [CliField],
}

/// One top-level body field.
#[derive(Debug)]
pub struct CliField {
    /// Name on the wire.
    pub name: &'static str,
    /// Required by the spec.
    pub required: bool,
    /// Its type.
    pub shape: Shape,
    /// One-line description.
    pub help: &'static str,
}

/// What a successful call returns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SuccessKind {
    /// JSON.
    Json,
    /// Nothing.
    Empty,
    /// Something else (a file), as bytes.
    Bytes,
}

/// How a paged operation moves on.
#[derive(Debug)]
pub struct CliPaging {
    /// The paging parameters are body fields, not query parameters.
    pub in_body: bool,
    /// The position parameter and how it advances.
    pub style: PagingStyle,
    /// The page-size parameter.
    pub limit: Option<&'static str>,
    /// Path (wire names) to the item list in a page.
    pub items: &'static [&'static str],
    /// Path to the total count, if the page reports one.
    pub total: Option<&'static [&'static str]>,
}

/// How the position advances.
#[derive(Debug)]
pub enum PagingStyle {
    /// This offset parameter moves by the number of items.
    Offset(&'static str),
    /// This page number moves by one.
    Page(&'static str),
    /// These parameters are set from values of the page (or its last item).
    Cursor(&'static [CliCursor]),
}

/// One cursor parameter and where its next value is.
#[derive(Debug)]
pub struct CliCursor {
    /// Parameter (wire name).
    pub param: &'static str,
    /// Read from the last item instead of the page.
    pub from_last_item: bool,
    /// Path (wire names) to the value.
    pub path: &'static [&'static str],
}
