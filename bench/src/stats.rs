//! Percentiles and the process figures the suite reports.

use std::time::Duration;

/// Latencies in milliseconds: p50, p95, p99 and max.
#[derive(Clone, Copy, Debug, Default)]
pub struct Latency {
    pub p50: f64,
    pub p95: f64,
    pub p99: f64,
    pub max: f64,
}

impl Latency {
    pub fn of(mut samples: Vec<Duration>) -> Latency {
        samples.sort();
        let at = |p: f64| {
            if samples.is_empty() {
                return 0.0;
            }
            let i = ((samples.len() as f64 - 1.0) * p).round() as usize;
            samples[i].as_secs_f64() * 1000.0
        };
        Latency {
            p50: at(0.5),
            p95: at(0.95),
            p99: at(0.99),
            max: at(1.0),
        }
    }

    pub fn cell(&self) -> String {
        format!(
            "{} / {} / {} / {}",
            ms(self.p50),
            ms(self.p95),
            ms(self.p99),
            ms(self.max)
        )
    }
}

/// Milliseconds, with the precision that means something at that size.
pub fn ms(v: f64) -> String {
    if v < 10.0 {
        format!("{v:.2}")
    } else if v < 100.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.0}")
    }
}

/// `a / b` as a ratio for the tables ("0.53×"), or "–" without a base.
pub fn ratio(a: f64, b: f64) -> String {
    if b > 0.0 && a.is_finite() {
        format!("{:.2}×", a / b)
    } else {
        "–".to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_pick_the_nearest_rank() {
        let samples = (1..=100).map(Duration::from_millis).collect();
        let l = Latency::of(samples);
        assert_eq!((l.p50, l.p99, l.max), (51.0, 99.0, 100.0));
        assert_eq!(Latency::of(Vec::new()).max, 0.0);
    }

    #[test]
    fn ratios_need_a_base() {
        assert_eq!(ratio(1.0, 2.0), "0.50×");
        assert_eq!(ratio(1.0, 0.0), "–");
    }
}
