//! What the machine is, and how busy it was, for the record of a run.

use std::fmt::Write;

/// CPU model, core count, memory, load average and the compilers running
/// beside the benchmark (the machine is shared).
pub fn describe() -> String {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo
        .lines()
        .find_map(|l| l.strip_prefix("model name").and_then(|r| r.split_once(':')).map(|(_, m)| m.trim().to_owned()))
        .unwrap_or_else(|| "unknown".to_owned());
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
    let mem_kb: u64 = meminfo
        .lines()
        .find_map(|l| l.strip_prefix("MemTotal:"))
        .and_then(|r| r.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0);
    let mut s = String::new();
    write!(s, "machine: {cores} cores, {model}, {:.1} GiB RAM; ", mem_kb as f64 / 1048576.0).unwrap();
    s.push_str(&load());
    s
}

/// Load average and how many other `rustc`/`cargo` processes are running.
pub fn load() -> String {
    let loadavg = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let avg: Vec<&str> = loadavg.split_whitespace().take(3).collect();
    let me = std::process::id();
    let (mut rustc, mut cargo) = (0, 0);
    if let Ok(dir) = std::fs::read_dir("/proc") {
        for entry in dir.flatten() {
            let name = entry.file_name();
            let Some(pid) = name.to_str().and_then(|p| p.parse::<u32>().ok()) else { continue };
            if pid == me {
                continue;
            }
            match std::fs::read_to_string(entry.path().join("comm")).unwrap_or_default().trim() {
                "rustc" => rustc += 1,
                "cargo" => cargo += 1,
                _ => {}
            }
        }
    }
    format!("load average {} ; other processes: {rustc} rustc, {cargo} cargo", avg.join(" "))
}

/// Peak resident set size of this process so far, in bytes (`VmHWM`).
pub fn peak_rss() -> Option<u64> {
    status_kb("VmHWM:").map(|kb| kb * 1024)
}

/// Current resident set size of this process, in bytes (`VmRSS`).
pub fn rss() -> Option<u64> {
    status_kb("VmRSS:").map(|kb| kb * 1024)
}

fn status_kb(key: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status.lines().find_map(|l| l.strip_prefix(key)).and_then(|r| r.trim().trim_end_matches("kB").trim().parse().ok())
}
