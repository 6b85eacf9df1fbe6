//! Time per status and per pause type over a window, computed from history.

use crate::{Millis, Presence};

/// One span of recorded history. `ended_at: None` means it is still going on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistorySpan {
    pub presence: Presence,
    pub pause_type_id: Option<String>,
    pub started_at: Millis,
    pub ended_at: Option<Millis>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PauseSeconds {
    pub pause_type_id: String,
    pub seconds: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Summary {
    pub online_s: i64,
    pub away_s: i64,
    /// Per pause type, in the order the pause types first appear.
    pub break_s: Vec<PauseSeconds>,
    /// Everything in the window not spent online, away or on a break.
    pub offline_s: i64,
}

/// Sums the spans' overlap with `[from, to)`. Time no span covers counts as
/// offline, so the four parts always add up to the window.
pub fn summarize(spans: &[HistorySpan], from: Millis, to: Millis) -> Summary {
    let mut online = 0;
    let mut away = 0;
    let mut breaks: Vec<(String, Millis)> = Vec::new();
    for span in spans {
        let start = span.started_at.max(from);
        let end = span.ended_at.unwrap_or(to).min(to);
        if end <= start {
            continue;
        }
        let ms = end - start;
        match (span.presence, &span.pause_type_id) {
            (Presence::Online, _) => online += ms,
            (Presence::Away, _) => away += ms,
            (Presence::Break, Some(id)) => match breaks.iter_mut().find(|(b, _)| b == id) {
                Some((_, total)) => *total += ms,
                None => breaks.push((id.clone(), ms)),
            },
            // A break without a pause type cannot be recorded; count it as away.
            (Presence::Break, None) => away += ms,
            (Presence::Offline | Presence::Disconnected, _) => {}
        }
    }
    let window = (to - from).max(0);
    let present: Millis = online + away + breaks.iter().map(|(_, ms)| ms).sum::<Millis>();
    Summary {
        online_s: online / 1000,
        away_s: away / 1000,
        break_s: breaks
            .into_iter()
            .map(|(pause_type_id, ms)| PauseSeconds {
                pause_type_id,
                seconds: ms / 1000,
            })
            .collect(),
        offline_s: (window - present).max(0) / 1000,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn span(
        presence: Presence,
        pause: Option<&str>,
        start_s: i64,
        end_s: Option<i64>,
    ) -> HistorySpan {
        HistorySpan {
            presence,
            pause_type_id: pause.map(str::to_owned),
            started_at: start_s * 1000,
            ended_at: end_s.map(|e| e * 1000),
        }
    }

    #[test]
    fn a_working_day_adds_up() {
        let spans = [
            span(Presence::Online, None, 100, Some(200)),
            span(Presence::Break, Some("lunch"), 200, Some(230)),
            span(Presence::Online, None, 230, Some(300)),
            span(Presence::Away, None, 300, Some(310)),
            span(Presence::Break, Some("training"), 310, Some(320)),
            span(Presence::Break, Some("lunch"), 320, Some(325)),
            span(Presence::Offline, None, 325, None),
        ];
        let s = summarize(&spans, 0, 400_000);
        assert_eq!(s.online_s, 170);
        assert_eq!(s.away_s, 10);
        assert_eq!(
            s.break_s,
            vec![
                PauseSeconds {
                    pause_type_id: "lunch".into(),
                    seconds: 35
                },
                PauseSeconds {
                    pause_type_id: "training".into(),
                    seconds: 10
                },
            ]
        );
        assert_eq!(s.offline_s, 400 - 170 - 10 - 45);
    }

    #[test]
    fn spans_are_clipped_to_the_window_and_open_spans_run_to_its_end() {
        let spans = [
            span(Presence::Online, None, 0, Some(100)),
            span(Presence::Away, None, 100, None),
        ];
        let s = summarize(&spans, 50_000, 150_000);
        assert_eq!(s.online_s, 50);
        assert_eq!(s.away_s, 50);
        assert_eq!(s.offline_s, 0);
    }

    #[test]
    fn no_history_is_all_offline_and_an_empty_window_is_zero() {
        assert_eq!(summarize(&[], 0, 10_000).offline_s, 10);
        assert_eq!(summarize(&[], 10_000, 0), Summary::default());
    }
}
