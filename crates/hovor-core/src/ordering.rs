//! A list the admin arranges by hand (pause types): moving one item to a
//! place, the others keeping their order around it.

/// `items` with `item` moved to index `to` (clamped to the end), or `None`
/// when `item` is not in the list. The result is the new order, index by
/// index, so positions stay dense whatever they were before.
pub fn move_to<T: PartialEq + Clone>(items: &[T], item: &T, to: usize) -> Option<Vec<T>> {
    let from = items.iter().position(|i| i == item)?;
    let mut order = items.to_vec();
    let moved = order.remove(from);
    order.insert(to.min(order.len()), moved);
    Some(order)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moving_up_and_down_keeps_the_others_in_order() {
        let list = ["a", "b", "c", "d"];
        assert_eq!(move_to(&list, &"c", 0), Some(vec!["c", "a", "b", "d"]));
        assert_eq!(move_to(&list, &"a", 2), Some(vec!["b", "c", "a", "d"]));
        assert_eq!(move_to(&list, &"b", 1), Some(vec!["a", "b", "c", "d"]));
    }

    #[test]
    fn a_place_past_the_end_means_last() {
        assert_eq!(
            move_to(&["a", "b", "c"], &"a", 99),
            Some(vec!["b", "c", "a"])
        );
    }

    #[test]
    fn an_unknown_item_is_not_moved() {
        assert_eq!(move_to(&["a", "b"], &"x", 0), None);
    }
}
