//! Reviewing API changes: a classified diff of two versions of the spec
//! ([`diff_apis`], behind `cargo xtask spec-diff`), the map from one API
//! version to the next within one spec ([`migration`], behind `cargo xtask
//! migration-map`). Drift against HighLevel's published documents is its own
//! stage, [`crate::upstream`].
//!
//! # How the spec diff works
//!
//! Both versions are lowered to the [IR](crate::ir) and compared there, so the
//! diff speaks about what the generated client exposes: operations are matched
//! by module and builder name (from `operationId`; an unmatched pair with the
//! same method and path is a renamed operation, compared further), types by module and Rust
//! name, fields and enum values by wire name, path parameters by position (a
//! path parameter is a positional argument, so only its place matters) and the
//! other parameters by wire name (as is a parameter that moved between the path
//! and the query: one parameter whose location changed). Each difference becomes a [`Change`] with the
//! [`Rule`] that classifies it.
//!
//! # Classification rules
//!
//! A change is **breaking** when code written against the old `ghl-client`
//! may stop compiling, or may fail at run time where it worked before because
//! the call now needs something more from the caller (an argument, a scope, a
//! token kind, a cargo feature). Everything else is **non-breaking**. The rules
//! follow from how the client is generated:
//!
//! - required parameters (and a required body) are positional arguments of the
//!   handle method; optional ones are builder setters; a `locationId` the client
//!   fills in is a setter too;
//! - structs are `#[non_exhaustive]`; types sent in requests get `new(required…)`
//!   plus setters; types received in responses have every field `Option`, so
//!   `required` and `nullable` change nothing there;
//! - string enums are `#[non_exhaustive]` with a catch-all variant, so a new
//!   value is safe and a removed one is not (its variant disappears); untagged
//!   unions are exhaustive enums, so any variant change breaks a `match`;
//! - wire-only facts (method, path, `Version` header, parameter location,
//!   JSON vs form encoding, a renamed path parameter) change no Rust signature:
//!   they are non-breaking, and listed so a reviewer still sees them.
//!
//! The full table is [`Rule::ALL`] (id, impact, meaning); the report's footer
//! prints it, and `codegen/tests/spec_diff.rs` has one fixture pair per rule.
//!
//! | rule | impact |
//! |---|---|
//! | `module-added` / `module-removed` | non-breaking / **breaking** |
//! | `module-gated` / `module-ungated` | **breaking** / non-breaking |
//! | `operation-added` / `operation-removed` / `operation-renamed` | non-breaking / **breaking** / **breaking** |
//! | `operation-method-changed`, `operation-path-changed`, `operation-version-changed` | non-breaking (wire only) |
//! | `operation-token-narrowed` / `operation-token-widened` | **breaking** / non-breaking |
//! | `operation-scope-added` / `operation-scope-removed` | **breaking** / non-breaking |
//! | `operation-made-undocumented` / `operation-made-documented` | **breaking** / non-breaking |
//! | `operation-deprecated` / `operation-undeprecated` | non-breaking |
//! | `operation-success-retyped`, `operation-arguments-reordered` | **breaking** |
//! | `pagination-added` / `pagination-removed` / `pagination-item-retyped` / `pagination-changed` | non-breaking / **breaking** / **breaking** / non-breaking |
//! | `parameter-added-required` / `parameter-added-optional` / `parameter-removed` | **breaking** / non-breaking / **breaking** |
//! | `parameter-made-required` / `parameter-made-optional` / `parameter-requirement-relaxed` | **breaking** / **breaking** / non-breaking |
//! | `parameter-retyped`, `parameter-rust-name-changed` | **breaking** |
//! | `parameter-renamed`, `parameter-location-changed` | non-breaking (wire only) |
//! | `body-added-required` / `body-added-optional` / `body-removed` | **breaking** / non-breaking / **breaking** |
//! | `body-made-required`, `body-made-optional`, `body-retyped` | **breaking** |
//! | `body-encoding-changed` | non-breaking (the body type says whether it is multipart) |
//! | `type-added` / `type-removed` / `type-kind-changed` / `alias-retyped` | non-breaking / **breaking** / **breaking** / **breaking** |
//! | `type-builder-added` / `type-builder-removed` / `type-multipart-changed` | non-breaking / **breaking** / **breaking** |
//! | `field-added` / `field-added-required` / `field-removed` / `field-retyped` | non-breaking / **breaking** / **breaking** / **breaking** |
//! | `field-made-required` / `field-made-optional` / `field-nullability-changed` | **breaking** |
//! | `field-required-flag-changed` | non-breaking (the Rust field keeps its form) |
//! | `field-rust-name-changed` | **breaking** |
//! | `enum-value-added` / `enum-value-removed` / `enum-variant-renamed` | non-breaking / **breaking** / **breaking** |
//! | `union-variant-added` / `union-variant-removed` / `union-variant-retyped` | **breaking** |
//! | `webhook-event-added` / `webhook-event-removed` / `webhook-event-retyped` | non-breaking / **breaking** / **breaking** |
//!
//! # Compared with oasdiff
//!
//! oasdiff (the common OpenAPI breaking-change checker) judges HTTP
//! compatibility; these rules judge the Rust API of the generated client.
//! Where they differ, and why (oasdiff's levels as of its 1.3x releases):
//!
//! - **Required → optional** (a parameter, a request field, a body): oasdiff
//!   calls relaxing a request safe; here it is breaking, because a positional
//!   argument (or a `new()` argument) becomes a setter and callers stop compiling.
//! - **Optional request field removed**: a warning at most in oasdiff; here
//!   breaking, the setter is gone.
//! - **Optional response field removed**: information in oasdiff; here every
//!   removed field is breaking, the `pub` field is gone.
//! - **Response field made optional or nullable**: breaking in oasdiff; here
//!   non-breaking (`field-required-flag-changed`): response fields are already
//!   `Option`, because GHL omits documented fields.
//! - **Enum value added to a response**: oasdiff flags it (old clients may not
//!   handle the value); here non-breaking, enums are `#[non_exhaustive]` with a
//!   catch-all. A removed value is breaking here in requests and responses
//!   alike (the variant is gone); oasdiff only fails it for requests.
//! - **Type widened** (e.g. integer → number in a request): a checker of HTTP
//!   compatibility may accept it; here it is breaking, the Rust type changes.
//! - **Path or method changed**: oasdiff sees one endpoint removed and another
//!   added (breaking); here the operation keeps its Rust name and signature, so
//!   it is a non-breaking wire change. A changed `operationId` with the same
//!   method and path is breaking here (`operation-renamed`: the method is
//!   renamed) although nothing changes on the wire.
//! - **Union variant added**: oasdiff fails it for responses only; here always
//!   (untagged unions are exhaustive Rust enums).
//! - `x-ghl-token`, `x-ghl-version`, `x-ghl-pagination`, `x-ghl-status`: oasdiff
//!   ignores extensions; here they are classified as above. Scopes agree: a
//!   scope added is breaking (the app must request it), one removed is not.
//! - Not compared here: descriptions and summaries, examples, and
//!   `x-ghl-max-bytes` upload limits (no Rust signature depends on them).

mod compare;
pub mod items;
pub mod migration;
pub(crate) mod render;

use serde::Serialize;

use crate::ir::Api;

pub use items::{ItemChange, ItemSummary, RustItems};
pub use render::RenderError;

/// Whether a change can break code written against the old client.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Impact {
    /// Old code may stop compiling or start failing.
    Breaking,
    /// Old code keeps compiling and working.
    NonBreaking,
}

impl Impact {
    /// `breaking` or `non-breaking`.
    pub fn as_str(self) -> &'static str {
        match self {
            Impact::Breaking => "breaking",
            Impact::NonBreaking => "non-breaking",
        }
    }
}

/// The Keep a Changelog section a change belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Section {
    /// Something new.
    Added,
    /// Something different.
    Changed,
    /// Newly deprecated.
    Deprecated,
    /// Something gone.
    Removed,
}

macro_rules! rules {
    ($( $variant:ident = $id:literal, $impact:ident, $section:ident, $text:literal; )*) => {
        /// One classification rule. See the [module docs](self) for the reasoning.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Rule {
            $(
                #[doc = $text]
                $variant,
            )*
        }

        impl Rule {
            /// Every rule, in report order.
            pub const ALL: &'static [Rule] = &[$(Rule::$variant),*];

            /// Stable kebab-case id (used in JSON and fixture names).
            pub fn id(self) -> &'static str {
                match self { $(Rule::$variant => $id),* }
            }

            /// Breaking or not: fixed per rule.
            pub fn impact(self) -> Impact {
                match self { $(Rule::$variant => Impact::$impact),* }
            }

            /// Changelog section.
            pub fn section(self) -> Section {
                match self { $(Rule::$variant => Section::$section),* }
            }

            /// What the rule covers and why it is classified so.
            pub fn description(self) -> &'static str {
                match self { $(Rule::$variant => $text),* }
            }

            /// The rule with this id.
            pub fn from_id(id: &str) -> Option<Rule> {
                Rule::ALL.iter().copied().find(|r| r.id() == id)
            }
        }
    };
}

rules! {
    ModuleAdded = "module-added", NonBreaking, Added,
        "A new module (and cargo feature).";
    ModuleRemoved = "module-removed", Breaking, Removed,
        "A module and its cargo feature are gone.";
    ModuleGated = "module-gated", Breaking, Changed,
        "A module that was always compiled (no operations) now needs its cargo feature.";
    ModuleUngated = "module-ungated", NonBreaking, Changed,
        "A module no longer needs a cargo feature (it has no operations left).";
    OperationAdded = "operation-added", NonBreaking, Added,
        "A new operation: a new handle method and builder.";
    OperationRemoved = "operation-removed", Breaking, Removed,
        "An operation is gone: its method and builder disappear.";
    OperationRenamed = "operation-renamed", Breaking, Changed,
        "The operationId changed (same method and path): the handle method and builder are renamed.";
    OperationMethodChanged = "operation-method-changed", NonBreaking, Changed,
        "The HTTP method changed; the Rust call is the same (wire only).";
    OperationPathChanged = "operation-path-changed", NonBreaking, Changed,
        "The path template changed; the Rust call is the same (wire only).";
    OperationVersionChanged = "operation-version-changed", NonBreaking, Changed,
        "The `Version` header value changed (wire only).";
    OperationTokenNarrowed = "operation-token-narrowed", Breaking, Changed,
        "The operation accepts fewer token kinds: a client configured with the other kind now fails.";
    OperationTokenWidened = "operation-token-widened", NonBreaking, Changed,
        "The operation accepts more: either token kind, or no token at all.";
    OperationScopeAdded = "operation-scope-added", Breaking, Changed,
        "A new OAuth scope is listed: apps must request it.";
    OperationScopeRemoved = "operation-scope-removed", NonBreaking, Changed,
        "A scope is no longer listed.";
    OperationMadeUndocumented = "operation-made-undocumented", Breaking, Changed,
        "The operation moved behind the `undocumented` cargo feature.";
    OperationMadeDocumented = "operation-made-documented", NonBreaking, Changed,
        "The operation no longer needs the `undocumented` feature.";
    OperationDeprecated = "operation-deprecated", NonBreaking, Deprecated,
        "The operation is marked deprecated (a compiler warning, no error).";
    OperationUndeprecated = "operation-undeprecated", NonBreaking, Changed,
        "The operation is no longer deprecated.";
    OperationSuccessRetyped = "operation-success-retyped", Breaking, Changed,
        "`send()` returns another type.";
    OperationArgumentsReordered = "operation-arguments-reordered", Breaking, Changed,
        "The positional arguments of the handle method changed order.";
    PaginationAdded = "pagination-added", NonBreaking, Added,
        "The operation now pages: a new `stream()` method.";
    PaginationRemoved = "pagination-removed", Breaking, Removed,
        "The operation no longer pages: `stream()` is gone.";
    PaginationItemRetyped = "pagination-item-retyped", Breaking, Changed,
        "`stream()` yields another item type.";
    PaginationChanged = "pagination-changed", NonBreaking, Changed,
        "Paging style, parameters or response paths changed; `stream()` keeps its signature.";
    ParameterAddedRequired = "parameter-added-required", Breaking, Changed,
        "A new required parameter: a new positional argument (or a value the client must supply).";
    ParameterAddedOptional = "parameter-added-optional", NonBreaking, Added,
        "A new optional parameter: a new builder setter.";
    ParameterRemoved = "parameter-removed", Breaking, Removed,
        "A parameter is gone: its argument or setter disappears.";
    ParameterMadeRequired = "parameter-made-required", Breaking, Changed,
        "An optional parameter became required: a setter becomes a positional argument.";
    ParameterMadeOptional = "parameter-made-optional", Breaking, Changed,
        "A required parameter became optional: a positional argument becomes a setter.";
    ParameterRequirementRelaxed = "parameter-requirement-relaxed", NonBreaking, Changed,
        "A required parameter the client fills from its configuration became optional; the setter stays.";
    ParameterRetyped = "parameter-retyped", Breaking, Changed,
        "A parameter has another Rust type.";
    ParameterRustNameChanged = "parameter-rust-name-changed", Breaking, Changed,
        "An optional parameter's setter has another name.";
    ParameterRenamed = "parameter-renamed", NonBreaking, Changed,
        "A path parameter has another wire name; it stays the same positional argument (wire only).";
    ParameterLocationChanged = "parameter-location-changed", NonBreaking, Changed,
        "A parameter moved between query, path and header with the same Rust form (wire only).";
    BodyAddedRequired = "body-added-required", Breaking, Changed,
        "A new required request body: a new positional argument.";
    BodyAddedOptional = "body-added-optional", NonBreaking, Added,
        "A new optional request body: a new `body()` setter.";
    BodyRemoved = "body-removed", Breaking, Removed,
        "The request body is gone.";
    BodyMadeRequired = "body-made-required", Breaking, Changed,
        "The body became required: the `body()` setter becomes an argument.";
    BodyMadeOptional = "body-made-optional", Breaking, Changed,
        "The body became optional: the argument becomes a `body()` setter.";
    BodyRetyped = "body-retyped", Breaking, Changed,
        "The request body has another Rust type.";
    BodyEncodingChanged = "body-encoding-changed", NonBreaking, Changed,
        "The body's media type changed (JSON, form, multipart); the Rust body type is compared on its own.";
    TypeAdded = "type-added", NonBreaking, Added,
        "A new type.";
    TypeRemoved = "type-removed", Breaking, Removed,
        "A type is gone (or was renamed).";
    TypeKindChanged = "type-kind-changed", Breaking, Changed,
        "A type changed kind (struct, enum, union, alias).";
    AliasRetyped = "alias-retyped", Breaking, Changed,
        "A type alias points to another type.";
    TypeBuilderAdded = "type-builder-added", NonBreaking, Added,
        "A type is now sent in requests: it gains `new()` and setters.";
    TypeBuilderRemoved = "type-builder-removed", Breaking, Removed,
        "A type is no longer sent in requests: its `new()` and setters are gone.";
    TypeMultipartChanged = "type-multipart-changed", Breaking, Changed,
        "A type became (or stopped being) a multipart body: serde derives and `into_parts()` swap.";
    FieldAdded = "field-added", NonBreaking, Added,
        "A new field that callers need not set (structs are non_exhaustive).";
    FieldAddedRequired = "field-added-required", Breaking, Changed,
        "A new required field in a type callers build: `new()` gains an argument.";
    FieldRemoved = "field-removed", Breaking, Removed,
        "A field is gone: the `pub` field and its setter disappear.";
    FieldRetyped = "field-retyped", Breaking, Changed,
        "A field has another Rust type (including boxing).";
    FieldMadeRequired = "field-made-required", Breaking, Changed,
        "A field changed from `Option<T>` to `T`: a setter becomes a `new()` argument.";
    FieldMadeOptional = "field-made-optional", Breaking, Changed,
        "A field changed from `T` to `Option<T>` (or `Nullable<T>`): a `new()` argument becomes a setter.";
    FieldNullabilityChanged = "field-nullability-changed", Breaking, Changed,
        "A request field changed between `Option<T>` and `Nullable<T>`.";
    FieldRequiredFlagChanged = "field-required-flag-changed", NonBreaking, Changed,
        "`required` or nullability changed but the Rust field keeps its form (response types hold every field as `Option`).";
    FieldRustNameChanged = "field-rust-name-changed", Breaking, Changed,
        "A field keeps its wire name but has another Rust name.";
    EnumValueAdded = "enum-value-added", NonBreaking, Added,
        "A new enum value (enums are non_exhaustive with a catch-all).";
    EnumValueRemoved = "enum-value-removed", Breaking, Removed,
        "An enum value is gone: its variant disappears.";
    EnumVariantRenamed = "enum-variant-renamed", Breaking, Changed,
        "An enum value (or the catch-all) has another Rust variant name.";
    UnionVariantAdded = "union-variant-added", Breaking, Changed,
        "A new variant in an untagged union (exhaustive: `match` arms break).";
    UnionVariantRemoved = "union-variant-removed", Breaking, Removed,
        "A union variant is gone.";
    UnionVariantRetyped = "union-variant-retyped", Breaking, Changed,
        "A union variant holds another type.";
    WebhookEventAdded = "webhook-event-added", NonBreaking, Added,
        "A new webhook event (`WebhookEvent` is non_exhaustive).";
    WebhookEventRemoved = "webhook-event-removed", Breaking, Removed,
        "A webhook event is gone: its `WebhookEvent` variant disappears.";
    WebhookEventRetyped = "webhook-event-retyped", Breaking, Changed,
        "A webhook event carries another payload type.";
}

impl Serialize for Rule {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.id())
    }
}

/// One classified difference between two versions of the spec.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Change {
    /// Module (snake_case, also the cargo feature).
    pub module: String,
    /// What changed: `operation getContact`, `type Contact`, `field Contact.email`, …
    pub subject: String,
    /// The rule that classifies it.
    pub rule: Rule,
    /// Breaking or not (the rule's impact).
    pub impact: Impact,
    /// One line for humans, with old → new where it applies.
    pub detail: String,
}

/// The classified difference between two lowered versions of the spec.
#[derive(Clone, Debug, Default, Serialize)]
pub struct SpecDiff {
    /// Every change, sorted by module, then subject.
    pub changes: Vec<Change>,
    /// The public Rust items the regeneration adds, removes or changes.
    pub rust_items: ItemSummary,
}

impl SpecDiff {
    /// No change at all.
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty() && self.rust_items.is_empty()
    }

    /// Number of breaking changes.
    pub fn breaking(&self) -> usize {
        self.changes.iter().filter(|c| c.impact == Impact::Breaking).count()
    }

    /// True when any change is breaking.
    pub fn has_breaking(&self) -> bool {
        self.breaking() > 0
    }
}

/// Compares two lowered versions of the spec and classifies every change.
///
/// ```
/// let old = codegen::ir::Api::default();
/// let diff = codegen::diff::diff_apis(&old, &old);
/// assert!(diff.is_empty() && !diff.has_breaking());
/// ```
pub fn diff_apis(old: &Api, new: &Api) -> SpecDiff {
    let mut changes = compare::compare(old, new);
    changes.sort();
    changes.dedup();
    let rust_items = items::summarize(&RustItems::of(old), &RustItems::of(new));
    SpecDiff { changes, rust_items }
}

/// Where the two versions came from, for the report's header.
#[derive(Clone, Debug, Default, Serialize)]
pub struct DiffLabels {
    /// The old side, e.g. `main (a1b2c3d)`.
    pub base: String,
    /// The new side, e.g. `working tree`.
    pub head: String,
}

pub use render::{changelog_markdown, diff_json, diff_markdown};
