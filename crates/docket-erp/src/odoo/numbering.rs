//! PO line numbers for Odoo, which has none.
//!
//! Invoices refer to order lines as "10", "20", … (the numbering SAP, Exact
//! and the sandbox use), but a `purchase.order.line` only has its database
//! id and a `sequence` that is a sort key, not a number: lines added in the
//! web client usually all carry the default 10. So the adapter numbers an
//! order's lines 10, 20, 30, … by their position in Odoo's own line order
//! (`sequence, id`, the model's `_order`), the way the PO prints them, and
//! maps those numbers back to ids wherever it writes (`purchase_line_id` of
//! a bill line) and reads (PO lines, stock moves, bill lines). Reads and
//! bookings go through this one mapping, so they always agree.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::OdooErp;
use super::read::{m2o, m2o_name};
use crate::ErpError;

/// The number of the line at `position` (0-based) of its order.
pub(super) fn line_number(position: usize) -> String {
    ((position + 1) * 10).to_string()
}

/// The lines of some orders: id ↔ (order name, line number), plus what the
/// caller asked to keep of each line.
#[derive(Debug, Default)]
pub(super) struct LineNumbers {
    by_id: BTreeMap<i64, (String, String, Value)>,
}

impl LineNumbers {
    /// Numbers `lines`, which must be sorted by `order_id, sequence, id` and
    /// hold every line of their orders.
    pub(super) fn from_sorted(lines: &[Value]) -> Self {
        let mut by_id = BTreeMap::new();
        let mut position: BTreeMap<i64, usize> = BTreeMap::new();
        for l in lines {
            let (Some(id), Some(order)) = (l["id"].as_i64(), m2o(&l["order_id"])) else {
                continue;
            };
            let at = position.entry(order).or_default();
            let name = m2o_name(&l["order_id"]).unwrap_or_default();
            by_id.insert(id, (name, line_number(*at), l.clone()));
            *at += 1;
        }
        LineNumbers { by_id }
    }

    /// The order name and line number of line `id`.
    pub(super) fn of(&self, id: i64) -> Option<(&str, &str)> {
        self.by_id
            .get(&id)
            .map(|(order, number, _)| (order.as_str(), number.as_str()))
    }

    /// The id and record of line `number` of order `order`.
    pub(super) fn find(&self, order: &str, number: &str) -> Option<(i64, &Value)> {
        self.by_id
            .iter()
            .find(|(_, (o, n, _))| o == order.trim() && n == number.trim())
            .map(|(id, (_, _, record))| (*id, record))
    }
}

impl OdooErp {
    /// Every line of the orders `domain` selects on `purchase.order.line`
    /// (e.g. `[["order_id.name","in",[…]]]`), numbered, with `fields` kept.
    pub(super) async fn line_numbers(
        &self,
        domain: Value,
        fields: &[&str],
    ) -> Result<LineNumbers, ErpError> {
        let mut wanted = vec!["order_id"];
        wanted.extend(fields.iter().filter(|f| **f != "order_id"));
        let lines = self
            .search_read(
                "purchase.order.line",
                domain,
                &wanted,
                "order_id, sequence, id",
            )
            .await?;
        Ok(LineNumbers::from_sorted(&lines))
    }

    /// The numbered lines of the orders holding the lines `ids`.
    pub(super) async fn line_numbers_around(&self, ids: &[i64]) -> Result<LineNumbers, ErpError> {
        if ids.is_empty() {
            return Ok(LineNumbers::default());
        }
        let domain = json!([["order_id.order_line", "in", ids]]);
        self.line_numbers(domain, &[]).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_numbered_by_position_within_their_order() {
        let lines = vec![
            json!({"id": 7, "order_id": [1, "P00001"]}),
            json!({"id": 3, "order_id": [1, "P00001"]}),
            json!({"id": 5, "order_id": [2, "P00002"]}),
        ];
        let numbers = LineNumbers::from_sorted(&lines);
        assert_eq!(numbers.of(7), Some(("P00001", "10")));
        assert_eq!(numbers.of(3), Some(("P00001", "20")));
        assert_eq!(numbers.of(5), Some(("P00002", "10")));
        assert_eq!(numbers.find("P00001", "20").map(|f| f.0), Some(3));
        assert!(numbers.find("P00002", "20").is_none());
    }
}
