//! Decode throughput of a large list response: 1000 contacts, each with ten
//! custom fields (about 1.9 MB of JSON), into the generated
//! `ghl_client::contacts::ContactList` (what `list_contacts` returns) versus
//! into `serde_json::Value` (the baseline), and through
//! `serde_path_to_error` as the client's runtime decodes.
//!
//! `cargo bench -p ghl-benches --bench decode [-- --quick]`

use criterion::{Criterion, Throughput};
use ghl_benches::fixtures;
use ghl_client::contacts::ContactList;

fn decode(c: &mut Criterion) {
    let body = fixtures::contact_page(0, 1000, 1000).into_bytes();
    let mut group = c.benchmark_group("decode_1000_contacts");
    group.throughput(Throughput::Bytes(body.len() as u64));
    group.bench_function("serde_json_Value", |b| {
        b.iter(|| serde_json::from_slice::<serde_json::Value>(std::hint::black_box(&body)).unwrap())
    });
    group.bench_function("ContactList", |b| {
        b.iter(|| serde_json::from_slice::<ContactList>(std::hint::black_box(&body)).unwrap())
    });
    group.bench_function("ContactList_path_to_error", |b| {
        b.iter(|| {
            let mut de = serde_json::Deserializer::from_slice(std::hint::black_box(&body));
            serde_path_to_error::deserialize::<_, ContactList>(&mut de).unwrap()
        })
    });
    group.finish();
}

fn main() {
    let body = fixtures::contact_page(0, 1000, 1000);
    let list: ContactList = serde_json::from_str(&body).expect("the fixture decodes");
    eprintln!("{}\nbody: {} bytes, {} contacts", ghl_benches::machine::describe(), body.len(), list.contacts.len());
    let mut c = Criterion::default().configure_from_args();
    decode(&mut c);
    c.final_summary();
}
