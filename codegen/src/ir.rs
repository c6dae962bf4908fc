//! The intermediate representation between the spec and the emitted Rust.
//!
//! Everything here is already decided: Rust names, types, presence, docs.
//! Emitters only print it; they make no choices about the spec.

use std::collections::{BTreeMap, BTreeSet};

/// The whole API: one entry per module, sorted by name.
#[derive(Clone, Debug, Default)]
pub struct Api {
    /// Modules by Rust name.
    pub modules: BTreeMap<String, Module>,
}

/// One spec document.
#[derive(Clone, Debug, Default)]
pub struct Module {
    /// The module's Rust path below the crate root: `contacts`, or
    /// `v3::contacts` for `spec/v3/contacts.yaml` (one segment per directory).
    pub name: String,
    /// Its cargo feature: the path's segments joined by `_` (`v3_contacts`).
    pub feature: String,
    /// The directory it sits in below the spec root (`v3`), if any: a group
    /// of modules with its own client accessor, feature and operationIds.
    pub group: Option<String>,
    /// Spec file it comes from (relative to the spec directory).
    pub source: String,
    /// `info.title`.
    pub title: String,
    /// `info.description`.
    pub description: Option<String>,
    /// `info.x-ghl-example`: Rust snippet for the module docs.
    pub example: Option<String>,
    /// Shared modules (no operations) are always compiled, without a feature.
    pub shared: bool,
    /// Types by Rust name.
    pub types: BTreeMap<String, TypeDef>,
    /// Operations by builder type name.
    pub operations: BTreeMap<String, Operation>,
    /// Webhook events (the OpenAPI 3.1 `webhooks` key), by wire `type` value.
    pub webhooks: BTreeMap<String, WebhookEvent>,
    /// Types other modules' features also need, with those features: such a
    /// type is compiled when any of them is on, the rest of the module only
    /// with its own feature (so `v3_contacts` builds v2's `Contact`, not v2's
    /// operations).
    pub needed_by: BTreeMap<String, BTreeSet<String>>,
}

/// One webhook event: what arrives at an app's webhook URL.
#[derive(Clone, Debug)]
pub struct WebhookEvent {
    /// The payload's `type` value.
    pub wire: String,
    /// Variant of the generated `WebhookEvent` enum.
    pub variant: String,
    /// Payload type.
    pub ty: Ty,
    /// Summary line.
    pub summary: Option<String>,
}

/// A named Rust type.
#[derive(Clone, Debug)]
pub struct TypeDef {
    /// Rust name.
    pub name: String,
    /// Doc text.
    pub doc: Option<String>,
    /// Shape.
    pub kind: TypeKind,
    /// Where it is used, which decides field presence.
    pub usage: Usage,
}

/// Whether a type is sent, received, or both.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Usage {
    /// Part of a request body or parameter.
    pub request: bool,
    /// Part of a response (or unused: treated as received).
    pub response: bool,
    /// A multipart request body (file parts, no serde).
    pub multipart: bool,
    /// Decoded from JSON: received, unused, or inside such a type (a
    /// request type inside an unused one is decoded too).
    pub decoded: bool,
}

impl Usage {
    /// Response-side types tolerate any missing or null field.
    pub fn lenient(self) -> bool {
        self.response || !self.request
    }
}

/// Shape of a named type.
#[derive(Clone, Debug)]
pub enum TypeKind {
    /// An object.
    Struct(Vec<Field>),
    /// A string enum with a catch-all variant.
    Enum(StrEnum),
    /// `oneOf`/`anyOf` of different JSON kinds: an untagged enum.
    Union(Vec<UnionVariant>),
    /// A `oneOf` whose variant a tag field beside it in the parent object
    /// chooses (`x-ghl-discriminator`): an enum flattened into the parent.
    Tagged(Tagged),
    /// Another name for a type.
    Alias(Ty),
}

/// One field of a struct.
#[derive(Clone, Debug)]
pub struct Field {
    /// Name on the wire.
    pub wire: String,
    /// Rust identifier.
    pub ident: String,
    /// Value type (without the Option/Nullable wrapper).
    pub ty: Ty,
    /// Listed in `required`.
    pub required: bool,
    /// May be `null`.
    pub nullable: bool,
    /// Boxed to break a recursive type.
    pub boxed: bool,
    /// Doc text.
    pub doc: Option<String>,
    /// What the schema says of the value besides its type, for the field's
    /// docs when it has no description.
    pub facts: FieldFacts,
    /// Largest accepted upload, for file parts.
    pub max_bytes: Option<u64>,
    /// A binary string (or list of them): a file part in multipart bodies.
    pub binary: bool,
    /// A [`TypeKind::Tagged`] enum: its tag and payload are keys of the
    /// parent object (`#[serde(flatten)]`); `wire` is the payload's key.
    pub flatten: bool,
}

/// A field's `format`, allowed values and example (of the list's items for a list).
#[derive(Clone, Debug, Default)]
pub struct FieldFacts {
    /// `format`, such as `date-time`.
    pub format: Option<String>,
    /// `enum` values of an inline enum.
    pub values: Vec<String>,
    /// `example`, as compact JSON text (strings unquoted).
    pub example: Option<String>,
    /// `minItems` of a list.
    pub min_items: Option<usize>,
}

/// A string enum.
#[derive(Clone, Debug)]
pub struct StrEnum {
    /// `(wire value, variant ident)`, in spec order.
    pub variants: Vec<(String, String)>,
    /// Name of the variant that keeps unknown values.
    pub catch_all: String,
}

/// A one-of chosen by a sibling tag: `{"type": "CALL", "payload": {...}}`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tagged {
    /// Key of the tag in the parent object.
    pub tag: String,
    /// Key of the payload in the parent object.
    pub content: String,
    /// One variant per known tag value, in spec order.
    pub variants: Vec<TaggedVariant>,
    /// Name of the variant that keeps an unknown tag (or a payload that does
    /// not fit its tag) as raw JSON.
    pub catch_all: String,
}

/// One variant of a [`Tagged`] enum.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TaggedVariant {
    /// Tag value on the wire.
    pub wire: String,
    /// Variant ident.
    pub ident: String,
    /// Payload type.
    pub ty: Ty,
}

/// One variant of an untagged union.
#[derive(Clone, Debug)]
pub struct UnionVariant {
    /// Variant ident.
    pub ident: String,
    /// Payload type.
    pub ty: Ty,
}

/// A reference to a type.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Ty {
    /// `String`.
    String,
    /// A string that must never be shown (`format: password`): the runtime's
    /// `Secret`, whose `Debug` is redacted.
    Secret,
    /// `i32`.
    I32,
    /// `i64`.
    I64,
    /// `f64`.
    F64,
    /// `bool`.
    Bool,
    /// Free-form JSON (`serde_json::Value`).
    Json,
    /// A file part of a multipart body.
    Upload,
    /// `Vec<T>`.
    Array(Box<Ty>),
    /// `BTreeMap<String, T>`.
    Map(Box<Ty>),
    /// A named type in some module.
    Named {
        /// Module name.
        module: String,
        /// Type name.
        name: String,
    },
}

impl Ty {
    /// A list or a map: it has an empty value.
    pub fn is_collection(&self) -> bool {
        matches!(self, Ty::Array(_) | Ty::Map(_))
    }
}

/// HTTP method.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Method {
    /// GET
    Get,
    /// POST
    Post,
    /// PUT
    Put,
    /// PATCH
    Patch,
    /// DELETE
    Delete,
    /// HEAD
    Head,
    /// OPTIONS
    Options,
}

impl Module {
    /// Whether it has operations and every one is behind `undocumented`.
    pub fn all_undocumented(&self) -> bool {
        !self.operations.is_empty() && self.operations.values().all(|op| op.undocumented)
    }

    /// The last segment of the path (`contacts`).
    pub fn leaf(&self) -> &str {
        self.name.rsplit("::").next().unwrap_or(&self.name)
    }

    /// The generated file, relative to the output directory (`v3/contacts.rs`).
    pub fn file(&self) -> String {
        format!("{}.rs", self.name.replace("::", "/"))
    }

    /// How a user reaches its operations from a `Client`: `client.v3().contacts()`.
    pub fn accessor(&self) -> String {
        let calls: Vec<String> = self.name.split("::").map(|s| format!(".{s}()")).collect();
        format!("client{}", calls.join(""))
    }
}

impl Method {
    /// Upper-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Patch => "PATCH",
            Method::Delete => "DELETE",
            Method::Head => "HEAD",
            Method::Options => "OPTIONS",
        }
    }
}

/// Token kind an operation accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Token {
    /// Location token.
    Location,
    /// Agency token.
    Agency,
    /// Either.
    Either,
    /// No token (e.g. the OAuth token endpoint).
    None,
}

/// Where a parameter goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParamLoc {
    /// In the path.
    Path,
    /// In the query string.
    Query,
    /// A header.
    Header,
}

/// One parameter of an operation.
#[derive(Clone, Debug)]
pub struct Param {
    /// Name on the wire.
    pub wire: String,
    /// Rust identifier.
    pub ident: String,
    /// Where it goes.
    pub loc: ParamLoc,
    /// Value type.
    pub ty: Ty,
    /// Required by the spec.
    pub required: bool,
    /// Filled from the client's configuration when not set (e.g. `locationId`).
    pub context: Option<Context>,
    /// How the value is written into the query or header.
    pub encoding: ParamEncoding,
    /// `explode: false`: list elements go comma-separated in one pair.
    pub explode: bool,
    /// Doc text.
    pub doc: Option<String>,
    /// The schema's format and example (the parameter's own example, or the
    /// schema's default, when the schema gives none): for sample calls.
    pub facts: FieldFacts,
}

/// How a parameter value becomes text.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ParamEncoding {
    /// Its `Display` text (scalars and string enums).
    #[default]
    Text,
    /// One pair per element (`?ids=a&ids=b`).
    EachText,
    /// One pair, elements joined by commas (`explode: false`: `?ids=a,b`).
    CommaText,
    /// Its JSON text (objects, maps, nested lists).
    Json,
}

/// A value the client configuration can supply.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Context {
    /// The configured location id.
    Location,
}

/// Encoding of a request body.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BodyKind {
    /// `application/json`.
    Json,
    /// `application/x-www-form-urlencoded`.
    Form,
    /// `multipart/form-data`.
    Multipart,
}

/// A request body.
#[derive(Clone, Debug)]
pub struct RequestBody {
    /// Encoding.
    pub kind: BodyKind,
    /// Type.
    pub ty: Ty,
    /// Must be sent.
    pub required: bool,
    /// Size limit of the file parts of a multipart map body.
    pub max_bytes: Option<u64>,
}

/// What a successful call returns.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Success {
    /// A JSON body of this type.
    Json(Ty),
    /// No body (`()`).
    Empty,
    /// A non-JSON body, returned as bytes.
    Bytes,
}

/// One operation.
#[derive(Clone, Debug)]
pub struct Operation {
    /// The spec's operationId.
    pub id: String,
    /// Method on the module handle.
    pub fn_name: String,
    /// Builder type.
    pub type_name: String,
    /// HTTP method.
    pub method: Method,
    /// Path template.
    pub path: String,
    /// `Version` header value.
    pub version: String,
    /// HighLevel names no `Version` here: the server takes any (or none).
    pub version_any: bool,
    /// Token kind.
    pub token: Token,
    /// OAuth scopes.
    pub scopes: Vec<String>,
    /// Parameters, path first (in path order), then the rest in spec order.
    pub params: Vec<Param>,
    /// Request body.
    pub body: Option<RequestBody>,
    /// Success response.
    pub success: Success,
    /// Paging, when the operation pages.
    pub pagination: Option<Pagination>,
    /// Generated behind the `undocumented` feature.
    pub undocumented: bool,
    /// Marked deprecated.
    pub deprecated: bool,
    /// Summary line.
    pub summary: Option<String>,
    /// Longer description.
    pub description: Option<String>,
    /// `x-ghl-note`.
    pub note: Option<String>,
}

/// Paging facts, resolved against the operation's parameters and response.
#[derive(Clone, Debug)]
pub struct Pagination {
    /// How the position advances.
    pub style: PageStyle,
    /// Paging parameters live in the JSON body, not the query.
    pub in_body: bool,
    /// Page-size parameter ident.
    pub limit: Option<PageParam>,
    /// Path to the item array in the response.
    pub items: Vec<PathStep>,
    /// Item type.
    pub item_ty: Ty,
    /// Path to the total count.
    pub total: Option<Vec<PathStep>>,
    /// Type of the total count (`I32`, `I64` or `F64`).
    pub total_ty: Option<Ty>,
}

/// A paging parameter: its ident on the builder (or body) and type.
#[derive(Clone, Debug)]
pub struct PageParam {
    /// Rust ident.
    pub ident: String,
    /// Name on the wire (query parameter or body field).
    pub wire: String,
    /// Type.
    pub ty: Ty,
    /// Stored as a plain value, not an `Option` (a required body field).
    pub plain: bool,
}

/// How a paged operation moves to the next page.
#[derive(Clone, Debug)]
pub enum PageStyle {
    /// Offset advanced by the item count.
    Offset(PageParam),
    /// Page number advanced by one.
    Page(PageParam),
    /// Parameters set from response values.
    Cursor(Vec<(PageParam, CursorSource)>),
}

/// Where a cursor's next value comes from.
#[derive(Clone, Debug)]
pub struct CursorSource {
    /// Read from the last item instead of the page.
    pub from_last_item: bool,
    /// Field path.
    pub path: Vec<PathStep>,
    /// Type of the value found there.
    pub ty: Ty,
}

/// One step of a field path through generated structs.
#[derive(Clone, Debug)]
pub struct PathStep {
    /// Field ident.
    pub ident: String,
    /// Field name on the wire.
    pub wire: String,
    /// Field is `Option` (lenient or optional).
    pub optional: bool,
    /// Field is boxed.
    pub boxed: bool,
}

/// How a struct field is held in Rust.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Repr {
    /// `T`: always present.
    Plain,
    /// `Option<T>`.
    Option,
    /// `Nullable<T>`: absent, null or a value (optional nullable request fields).
    Nullable,
}

impl Field {
    /// A plain list or map of a received type that decodes absent and
    /// `null` as empty (see [`Field::repr`]).
    pub fn empty_when_absent(&self, usage: Usage) -> bool {
        !usage.multipart
            && usage.lenient()
            && self.ty.is_collection()
            && (!usage.request || (self.required && !self.nullable))
    }

    /// Whether `new()` takes this field: required and not nullable. In
    /// lenient types (sent and received) the field stays an `Option`, but a
    /// caller building one still has to give it.
    pub fn in_constructor(&self, usage: Usage) -> bool {
        match self.repr(usage) {
            Repr::Plain => true,
            Repr::Option => usage.lenient() && self.required && !self.nullable,
            Repr::Nullable => false,
        }
    }

    /// The Rust form of this field in a type used as `usage`.
    ///
    /// Lists and maps of received types are plain (`Vec`, `BTreeMap`),
    /// decoded empty when absent or null, when that loses nothing a caller
    /// sends: in types only received, and in types also sent when the field
    /// is required and not nullable (it is always sent anyway). An optional
    /// list of a sent type stays an `Option`: leaving it out ("keep the
    /// tags") and sending `[]` ("clear them") differ.
    pub fn repr(&self, usage: Usage) -> Repr {
        if usage.multipart {
            return if self.required { Repr::Plain } else { Repr::Option };
        }
        if usage.lenient() {
            return if self.empty_when_absent(usage) { Repr::Plain } else { Repr::Option };
        }
        match (self.required, self.nullable) {
            (true, false) => Repr::Plain,
            (true, true) | (false, false) => Repr::Option,
            (false, true) => Repr::Nullable,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(ty: Ty, required: bool, nullable: bool) -> Field {
        Field {
            wire: "f".into(),
            ident: "f".into(),
            ty,
            required,
            nullable,
            boxed: false,
            doc: None,
            facts: FieldFacts::default(),
            max_bytes: None,
            binary: false,
            flatten: false,
        }
    }

    const RECEIVED: Usage = Usage { request: false, response: true, multipart: false, decoded: true };
    const BOTH: Usage = Usage { request: true, response: true, multipart: false, decoded: true };
    const SENT: Usage = Usage { request: true, response: false, multipart: false, decoded: false };

    #[test]
    fn received_lists_and_maps_are_plain() {
        let list = Ty::Array(Box::new(Ty::String));
        let map = Ty::Map(Box::new(Ty::I64));
        for (required, nullable) in [(false, false), (false, true), (true, false), (true, true)] {
            assert_eq!(field(list.clone(), required, nullable).repr(RECEIVED), Repr::Plain);
            assert_eq!(field(map.clone(), required, nullable).repr(RECEIVED), Repr::Plain);
            assert_eq!(field(Ty::String, required, nullable).repr(RECEIVED), Repr::Option);
        }
        assert!(field(list, false, false).empty_when_absent(RECEIVED));
    }

    #[test]
    fn sent_lists_keep_absent_apart_from_empty() {
        let list = Ty::Array(Box::new(Ty::String));
        assert_eq!(field(list.clone(), true, false).repr(BOTH), Repr::Plain);
        assert_eq!(field(list.clone(), false, false).repr(BOTH), Repr::Option);
        assert_eq!(field(list.clone(), true, true).repr(BOTH), Repr::Option);
        assert_eq!(field(list.clone(), false, false).repr(SENT), Repr::Option);
        assert_eq!(field(list.clone(), false, true).repr(SENT), Repr::Nullable);
        assert!(!field(list.clone(), true, false).empty_when_absent(SENT));
        assert_eq!(field(list, true, false).repr(SENT), Repr::Plain);
    }
}
