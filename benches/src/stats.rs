//! Median, percentiles and spread of repeated measurements.

/// Summary of repeated measurements: median with the full range and the
/// interquartile range.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Summary {
    /// Number of measurements.
    pub n: usize,
    /// Median.
    pub median: f64,
    /// Smallest.
    pub min: f64,
    /// Largest.
    pub max: f64,
    /// 25th percentile.
    pub p25: f64,
    /// 75th percentile.
    pub p75: f64,
}

impl Summary {
    /// Summarizes `xs` (any order; must not be empty).
    pub fn of(xs: &[f64]) -> Summary {
        assert!(!xs.is_empty(), "no measurements");
        let mut v = xs.to_vec();
        v.sort_by(f64::total_cmp);
        Summary {
            n: v.len(),
            median: percentile_sorted(&v, 0.5),
            min: v[0],
            max: v[v.len() - 1],
            p25: percentile_sorted(&v, 0.25),
            p75: percentile_sorted(&v, 0.75),
        }
    }

    /// `median (min–max, n=N)` with `scale` applied and `decimals` places.
    pub fn show(&self, scale: f64, decimals: usize, unit: &str) -> String {
        format!(
            "{:.d$} {unit} ({:.d$}–{:.d$}, n={})",
            self.median * scale,
            self.min * scale,
            self.max * scale,
            self.n,
            d = decimals
        )
    }

    /// Spread as a fraction of the median: `(max - min) / median`.
    pub fn spread(&self) -> f64 {
        if self.median == 0.0 { 0.0 } else { (self.max - self.min) / self.median }
    }
}

/// The `q` quantile (0..=1) of sorted data, interpolating linearly.
pub fn percentile_sorted(sorted: &[f64], q: f64) -> f64 {
    match sorted.len() {
        0 => f64::NAN,
        1 => sorted[0],
        n => {
            let pos = q.clamp(0.0, 1.0) * (n - 1) as f64;
            let lo = pos.floor() as usize;
            let hi = pos.ceil() as usize;
            sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo as f64)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_and_quartiles() {
        let s = Summary::of(&[5.0, 1.0, 3.0, 2.0, 4.0]);
        assert_eq!((s.n, s.median, s.min, s.max, s.p25, s.p75), (5, 3.0, 1.0, 5.0, 2.0, 4.0));
        assert_eq!(Summary::of(&[1.0, 2.0]).median, 1.5);
        assert_eq!(Summary::of(&[7.0]).median, 7.0);
        assert!((Summary::of(&[9.0, 10.0, 11.0]).spread() - 0.2).abs() < 1e-12);
        assert_eq!(s.show(1.0, 1, "ms"), "3.0 ms (1.0–5.0, n=5)");
    }
}
