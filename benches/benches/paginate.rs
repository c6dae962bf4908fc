//! Streaming pagination over 100 000 contacts (pages of 100, cursor
//! `startAfterId`) from a loopback server: the peak of live heap bytes,
//! counted by a global allocator in the client's process (the server is a
//! child process), stays at what one page needs. Baselines in the same run:
//! streaming a single page, and collecting every item into a `Vec`.
//!
//! `cargo bench -p ghl-benches --bench paginate [-- --quick]`

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicIsize, AtomicU64, Ordering};
use std::time::Instant;

use futures::{StreamExt, TryStreamExt};
use ghl_benches::fixtures::TOKEN;
use ghl_benches::stats::Summary;
use ghl_benches::{machine, server};

struct Counting;

static LIVE: AtomicIsize = AtomicIsize::new(0);
static PEAK: AtomicIsize = AtomicIsize::new(0);
static ALLOCS: AtomicU64 = AtomicU64::new(0);

fn grew(by: isize) {
    let now = LIVE.fetch_add(by, Ordering::Relaxed) + by;
    PEAK.fetch_max(now, Ordering::Relaxed);
}

// SAFETY: every call is forwarded to the system allocator unchanged; the
// counters are only bookkeeping.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: same contract as the caller's.
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            ALLOCS.fetch_add(1, Ordering::Relaxed);
            grew(layout.size() as isize);
        }
        p
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: same contract as the caller's.
        let p = unsafe { System.alloc_zeroed(layout) };
        if !p.is_null() {
            ALLOCS.fetch_add(1, Ordering::Relaxed);
            grew(layout.size() as isize);
        }
        p
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as the caller's.
        unsafe { System.dealloc(ptr, layout) };
        LIVE.fetch_sub(layout.size() as isize, Ordering::Relaxed);
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: same contract as the caller's.
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            grew(new_size as isize - layout.size() as isize);
        }
        p
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Starts a measurement: the peak restarts from what is live now.
fn reset_peak() -> isize {
    let now = LIVE.load(Ordering::Relaxed);
    PEAK.store(now, Ordering::Relaxed);
    now
}

struct Run {
    items: usize,
    peak_above_start: isize,
    secs: f64,
}

#[allow(deprecated)] // list_contacts is deprecated by HighLevel; its cursor paging is what we measure
async fn stream(client: &ghl_client::Client, total: usize, collect: bool) -> Run {
    let op = client.contacts().list_contacts().location_id(format!("total-{total}")).limit(100);
    let start_live = reset_peak();
    let t = Instant::now();
    let items = if collect {
        let all: Vec<_> = op.stream().try_collect().await.expect("stream");
        let n = all.len();
        // Measured while `all` is still alive.
        let peak = PEAK.load(Ordering::Relaxed);
        drop(all);
        return Run { items: n, peak_above_start: peak - start_live, secs: t.elapsed().as_secs_f64() };
    } else {
        let mut n = 0usize;
        let mut s = std::pin::pin!(op.stream());
        while let Some(item) = s.next().await {
            std::hint::black_box(item.expect("item"));
            n += 1;
        }
        n
    };
    Run { items, peak_above_start: PEAK.load(Ordering::Relaxed) - start_live, secs: t.elapsed().as_secs_f64() }
}

fn mib(b: f64) -> f64 {
    b / 1048576.0
}

fn main() {
    server::maybe_serve();
    let quick = std::env::args().any(|a| a == "--quick");
    let reps = if quick { 1 } else { 3 };
    let server = server::Server::start().expect("start the loopback server");
    eprintln!("{}", machine::describe());
    let client = ghl_client::Client::builder()
        .base_url(server.base_url.as_str())
        .private_integration_token(TOKEN)
        .no_rate_limit()
        .build()
        .expect("client");
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    runtime.block_on(async {
        // Warm up: connection pool, lazily initialized statics.
        stream(&client, 300, false).await;

        let page_body = ghl_benches::fixtures::contact_page(0, 100, 100).len();
        println!("pages of 100 contacts ({page_body} bytes of JSON each); peak live heap above the start of each run:");
        println!(
            "  {:<34} {:>26} {:>24} {:>14}",
            "run", "peak live heap MiB (range)", "items/s (range)", "vs one page"
        );
        let mut one_page = 0.0;
        for (label, total, collect) in [
            ("stream 100 (one page) [baseline]", 100usize, false),
            ("stream 10 000", 10_000, false),
            ("stream 100 000", 100_000, false),
            ("collect 100 000 into a Vec", 100_000, true),
        ] {
            if collect {
                let rss = machine::peak_rss().unwrap_or(0);
                println!("  process peak RSS (VmHWM) after the streaming runs: {:.1} MiB", mib(rss as f64));
            }
            let mut peaks = Vec::new();
            let mut rates = Vec::new();
            for _ in 0..reps {
                let r = stream(&client, total, collect).await;
                assert_eq!(r.items, total, "every item arrives");
                peaks.push(r.peak_above_start as f64);
                rates.push(r.items as f64 / r.secs);
            }
            let p = Summary::of(&peaks);
            let r = Summary::of(&rates);
            if total == 100 {
                one_page = p.median;
            }
            println!(
                "  {:<34} {:>26} {:>24} {:>13.2}x",
                label,
                format!("{:.3} ({:.3}–{:.3})", mib(p.median), mib(p.min), mib(p.max)),
                format!("{:.0} ({:.0}–{:.0})", r.median, r.min, r.max),
                p.median / one_page
            );
        }
        let rss = machine::peak_rss().unwrap_or(0);
        println!("  process peak RSS (VmHWM) at the end: {:.1} MiB", mib(rss as f64));
        println!("  allocations counted: {}", ALLOCS.load(Ordering::Relaxed));
    });
    eprintln!("after: {}", machine::load());
}
