//! The per-request overhead runner: each contender sends the same request to
//! the same loopback server, one at a time ("single") and from N concurrent
//! tasks ("concurrent"); rounds alternate the contenders' order, and each
//! figure is the median over rounds with its range. Ratios are taken per
//! round against the first contender (the baseline), then their median.
//!
//! Call on a current-thread tokio runtime: the client side then uses one
//! core and the server (a child process, one thread) the other. Every task
//! then runs on the calling thread, whose CPU time per request (Linux
//! `/proc/thread-self/schedstat`) is reported beside the wall-clock figures:
//! on a shared machine it moves far less than they do.

use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::future::BoxFuture;

use crate::stats::{Summary, percentile_sorted};

/// One request, as a contender sends it; errors are described as text.
pub type CallFn = Arc<dyn Fn() -> BoxFuture<'static, Result<(), String>> + Send + Sync>;

/// A client under test.
pub struct Contender {
    /// Its name in the report.
    pub name: String,
    /// Sends one request and decodes the answer.
    pub call: CallFn,
}

impl Contender {
    /// A contender from a closure returning a future.
    pub fn new<F, Fut>(name: &str, f: F) -> Contender
    where
        F: Fn() -> Fut + Send + Sync + 'static,
        Fut: std::future::Future<Output = Result<(), String>> + Send + 'static,
    {
        Contender { name: name.to_owned(), call: Arc::new(move || Box::pin(f())) }
    }
}

/// How much to measure.
#[derive(Clone, Debug)]
pub struct Settings {
    /// Rounds (each runs every contender once per mode).
    pub rounds: usize,
    /// Sequential requests per round and contender (0 skips the mode).
    pub single: usize,
    /// Requests per round and contender in the concurrent mode (0 skips it).
    pub concurrent: usize,
    /// Tasks in flight in the concurrent mode.
    pub concurrency: usize,
    /// Requests before measuring, per contender and round.
    pub warmup: usize,
    /// Print only errors.
    pub quiet: bool,
    /// Run only the contender of this name.
    pub only: Option<String>,
}

impl Settings {
    /// The defaults, changed by `--quick`, `--rounds N`, `--single N`,
    /// `--concurrent N`, `--concurrency N`, `--warmup N`, `--only NAME` and
    /// `--quiet` (unknown arguments, such as cargo's `--bench`, are ignored).
    pub fn from_args() -> Settings {
        let args: Vec<String> = std::env::args().collect();
        let quick = args.iter().any(|a| a == "--quick");
        let mut s = Settings {
            rounds: if quick { 3 } else { 9 },
            single: if quick { 1000 } else { 3000 },
            concurrent: if quick { 6400 } else { 19200 },
            concurrency: 64,
            warmup: 200,
            quiet: args.iter().any(|a| a == "--quiet"),
            only: None,
        };
        let value = |name: &str| args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).cloned();
        let number = |name: &str, default: usize| value(name).and_then(|v| v.parse().ok()).unwrap_or(default);
        s.rounds = number("--rounds", s.rounds).max(1);
        s.single = number("--single", s.single);
        s.concurrent = number("--concurrent", s.concurrent);
        s.concurrency = number("--concurrency", s.concurrency).max(1);
        s.warmup = number("--warmup", s.warmup);
        s.only = value("--only");
        s
    }
}

/// One round of one contender in one mode.
#[derive(Clone, Copy, Debug)]
pub struct Sample {
    /// Median latency, seconds.
    pub p50: f64,
    /// 99th percentile latency, seconds.
    pub p99: f64,
    /// Requests per second over the round.
    pub rps: f64,
    /// CPU time of the client's thread per request, seconds (`NaN` where unknown).
    pub cpu: f64,
}

/// Every sample, by mode (`0` single, `1` concurrent), contender and round.
pub struct Report {
    /// Contender names, baseline first.
    pub names: Vec<String>,
    /// `samples[mode][contender][round]`.
    pub samples: [Vec<Vec<Sample>>; 2],
    /// Concurrency of mode 1.
    pub concurrency: usize,
}

/// Runs every contender in every round and mode.
pub async fn run(contenders: &[Contender], settings: &Settings) -> Result<Report, String> {
    let contenders: Vec<&Contender> =
        contenders.iter().filter(|c| settings.only.as_ref().is_none_or(|o| *o == c.name)).collect();
    if contenders.is_empty() {
        return Err("no contender of that name".into());
    }
    let n = contenders.len();
    let mut report = Report {
        names: contenders.iter().map(|c| c.name.clone()).collect(),
        samples: [vec![Vec::new(); n], vec![Vec::new(); n]],
        concurrency: settings.concurrency,
    };
    for round in 0..settings.rounds {
        for k in 0..n {
            let i = (k + round) % n; // rotate who goes first
            let c = contenders[i];
            for _ in 0..settings.warmup {
                (c.call)().await.map_err(|e| format!("{}: {e}", c.name))?;
            }
            // Open the concurrent mode's connections before it is timed: the
            // sequential warm-up leaves one in the pool, and each contender
            // would otherwise pay its other 63 handshakes in its first round.
            if settings.concurrent > 0 && settings.warmup > 0 {
                concurrent(c, settings.concurrency * 2, settings.concurrency).await?;
            }
            if settings.single > 0 {
                let s = single(c, settings.single).await?;
                report.samples[0][i].push(s);
            }
            if settings.concurrent > 0 {
                let s = concurrent(c, settings.concurrent, settings.concurrency).await?;
                report.samples[1][i].push(s);
            }
        }
        if !settings.quiet {
            eprintln!("  round {}/{} done", round + 1, settings.rounds);
        }
    }
    Ok(report)
}

async fn single(c: &Contender, n: usize) -> Result<Sample, String> {
    let mut lat = Vec::with_capacity(n);
    let cpu = thread_cpu();
    let start = Instant::now();
    for _ in 0..n {
        let t = Instant::now();
        (c.call)().await.map_err(|e| format!("{}: {e}", c.name))?;
        lat.push(t.elapsed());
    }
    Ok(sample(lat, start.elapsed(), cpu))
}

async fn concurrent(c: &Contender, n: usize, tasks: usize) -> Result<Sample, String> {
    let per_task = n.div_ceil(tasks);
    let cpu = thread_cpu();
    let start = Instant::now();
    let handles: Vec<_> = (0..tasks)
        .map(|_| {
            let call = c.call.clone();
            tokio::spawn(async move {
                let mut lat = Vec::with_capacity(per_task);
                for _ in 0..per_task {
                    let t = Instant::now();
                    call().await?;
                    lat.push(t.elapsed());
                }
                Ok::<_, String>(lat)
            })
        })
        .collect();
    let mut all = Vec::with_capacity(per_task * tasks);
    for h in handles {
        all.extend(h.await.map_err(|e| e.to_string())?.map_err(|e| format!("{}: {e}", c.name))?);
    }
    Ok(sample(all, start.elapsed(), cpu))
}

/// CPU time the calling thread has run, seconds; `None` off Linux.
fn thread_cpu() -> Option<f64> {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let ns: u64 = text.split_whitespace().next()?.parse().ok()?;
    Some(ns as f64 / 1e9)
}

fn sample(lat: Vec<Duration>, elapsed: Duration, cpu_before: Option<f64>) -> Sample {
    let cpu = match (cpu_before, thread_cpu()) {
        (Some(a), Some(b)) if !lat.is_empty() => (b - a) / lat.len() as f64,
        _ => f64::NAN,
    };
    let mut secs: Vec<f64> = lat.iter().map(Duration::as_secs_f64).collect();
    secs.sort_by(f64::total_cmp);
    Sample {
        p50: percentile_sorted(&secs, 0.5),
        p99: percentile_sorted(&secs, 0.99),
        rps: secs.len() as f64 / elapsed.as_secs_f64(),
        cpu,
    }
}

impl Report {
    /// The report as a table: per mode and contender, p50, p99 and
    /// throughput (median over rounds, range in brackets), and the ratios to
    /// the baseline (first contender).
    pub fn table(&self) -> String {
        let mut out = String::new();
        for (mode, label) in
            [(0, "single (one request at a time)".to_owned()), (1, format!("{}-way concurrent", self.concurrency))]
        {
            if self.samples[mode].iter().all(Vec::is_empty) {
                continue;
            }
            out.push_str(&format!("{label}:\n"));
            out.push_str(&format!(
                "  {:<12} {:>28} {:>12} {:>32} {:>18} {:>18} {:>12} {:>18}\n",
                "client",
                "p50 µs (range)",
                "p99 µs",
                "throughput req/s (range)",
                "p50 / base",
                "req/s / base",
                "CPU µs/req",
                "CPU / base"
            ));
            let base = &self.samples[mode][0];
            for (i, name) in self.names.iter().enumerate() {
                let s = &self.samples[mode][i];
                if s.is_empty() {
                    continue;
                }
                let p50 = Summary::of(&s.iter().map(|x| x.p50).collect::<Vec<_>>());
                let p99 = Summary::of(&s.iter().map(|x| x.p99).collect::<Vec<_>>());
                let rps = Summary::of(&s.iter().map(|x| x.rps).collect::<Vec<_>>());
                let cpu = Summary::of(&s.iter().map(|x| x.cpu).collect::<Vec<_>>());
                let ratio = |f: fn(&Sample) -> f64| {
                    let r = Summary::of(&s.iter().zip(base).map(|(x, b)| f(x) / f(b)).collect::<Vec<_>>());
                    format!("{:.3} ({:.2}–{:.2})", r.median, r.min, r.max)
                };
                let (r50, rrps, rcpu) = if i == 0 || base.len() != s.len() {
                    ("baseline".to_owned(), "baseline".to_owned(), "baseline".to_owned())
                } else {
                    (ratio(|x| x.p50), ratio(|x| x.rps), ratio(|x| x.cpu))
                };
                out.push_str(&format!(
                    "  {:<12} {:>28} {:>12.1} {:>32} {:>18} {:>18} {:>12.1} {:>18}\n",
                    name,
                    format!("{:.1} ({:.1}–{:.1})", p50.median * 1e6, p50.min * 1e6, p50.max * 1e6),
                    p99.median * 1e6,
                    format!("{:.0} ({:.0}–{:.0})", rps.median, rps.min, rps.max),
                    r50,
                    rrps,
                    cpu.median * 1e6,
                    rcpu
                ));
            }
        }
        out
    }
}
