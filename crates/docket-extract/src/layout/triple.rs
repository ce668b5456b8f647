//! Which of a row's numbers are its quantity, unit price and amount.
//!
//! Multiplication cannot tell a quantity from a price (6 × 10 = 10 × 6), and
//! header words rarely sit exactly above right-aligned numbers, so neither
//! the columns nor the arithmetic decide alone. Every assignment whose
//! quantity × price (per price basis) gives the amount is a candidate; the
//! columns the numbers stand in, and their left-to-right order against the
//! header's, choose among them. When nothing adds up the columns alone give
//! the values, with a confidence below the review threshold.

use rust_decimal::Decimal;

use super::table::Col;

/// A number of a row, as the choice needs it.
#[derive(Debug, Clone, Copy)]
pub struct Cand {
    /// Its value.
    pub value: Decimal,
    /// Digits after the decimal separator.
    pub decimals: u32,
    /// The column it stands in.
    pub col: Col,
    /// Its horizontal centre.
    pub x: f32,
}

/// What the row's header says about the numeric columns.
#[derive(Debug, Clone, Copy, Default)]
pub struct Layout {
    /// Whether the quantity column stands left of the unit price column
    /// (`None` when the header lacks one of them).
    pub quantity_left_of_price: Option<bool>,
    /// Whether the table has a discount column (amounts may be smaller than
    /// quantity × price).
    pub discount: bool,
}

/// The chosen triple: indices into the numbers given to [`choose`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Triple {
    /// The quantity.
    pub quantity: usize,
    /// The unit price.
    pub price: usize,
    /// The amount.
    pub amount: usize,
    /// Whether each of the three stands in the column of its role.
    pub by_columns: bool,
}

/// quantity × price / basis = amount, to the cent (or less than half a cent
/// per unit when prices carry more decimals).
pub fn adds_up(q: Decimal, p: Decimal, a: Decimal, basis: Decimal) -> bool {
    if basis.is_zero() {
        return false;
    }
    let product = q * p / basis;
    // Half a unit of the price's last printed digit (a cent at least), per
    // unit: 3 × 3,3333 is printed as 10,00, 3 × 3,33 too.
    let half_digit = Decimal::new(5, p.scale().clamp(2, 27) + 1);
    let tolerance = Decimal::new(1, 2).max((q / basis).abs() * half_digit);
    (product - a).abs() <= tolerance
}

/// A discounted amount: smaller than quantity × price, same sign.
fn discounted(q: Decimal, p: Decimal, a: Decimal) -> bool {
    let product = q * p;
    a.abs() < product.abs() && a.is_sign_negative() == product.is_sign_negative()
}

/// Chooses quantity, price and amount among `nums`. `bases` are the price
/// bases the row states ("per 100", a price-basis column); 1 is always tried.
pub fn choose(nums: &[Cand], layout: Layout, bases: &[Decimal]) -> Option<Triple> {
    let rightmost_decimal = (0..nums.len())
        .filter(|&i| nums[i].decimals > 0)
        .max_by(|&a, &b| nums[a].x.total_cmp(&nums[b].x));
    let mut best: Option<(i32, Triple)> = None;
    for a in 0..nums.len() {
        // A zero amount counts only where the amount column says so (free
        // items: "10 Stk. 0,0000 0,00").
        let zero = nums[a].value.is_zero();
        if (zero || nums[a].decimals == 0) && nums[a].col != Col::Amount {
            continue;
        }
        for p in (0..nums.len()).filter(|&p| p != a) {
            for q in (0..nums.len()).filter(|&q| q != a && q != p) {
                let (qn, pn, an) = (&nums[q], &nums[p], &nums[a]);
                if qn.value.is_zero() {
                    continue;
                }
                let by_columns =
                    qn.col == Col::Quantity && pn.col == Col::UnitPrice && an.col == Col::Amount;
                let arithmetic = std::iter::once(Decimal::ONE)
                    .chain(bases.iter().copied())
                    .position(|b| adds_up(qn.value, pn.value, an.value, b));
                let fits = arithmetic.is_some()
                    || by_columns && layout.discount && discounted(qn.value, pn.value, an.value);
                if !fits {
                    continue;
                }
                let score =
                    score(qn, pn, an, layout, arithmetic) + i32::from(Some(a) == rightmost_decimal);
                let cand = Triple {
                    quantity: q,
                    price: p,
                    amount: a,
                    by_columns,
                };
                if best.is_none_or(|(s, _)| score > s) {
                    best = Some((score, cand));
                }
            }
        }
    }
    best.map(|(_, t)| t)
}

/// How well an assignment agrees with the header: columns first, then the
/// left-to-right order, then small hints.
fn score(q: &Cand, p: &Cand, a: &Cand, layout: Layout, basis: Option<usize>) -> i32 {
    let mut s = 0;
    if a.col == Col::Amount {
        s += 8;
    }
    if p.col == Col::UnitPrice {
        s += 6;
    }
    if q.col == Col::Quantity {
        s += 6;
    }
    // Numbers that stood in a text column ("A4", "16 GB") are quantities
    // only when nothing better adds up.
    for n in [q, p, a] {
        if matches!(
            n.col,
            Col::Description | Col::ItemId | Col::ItemOrDescription | Col::Position
        ) {
            s -= 3;
        }
    }
    if let Some(left) = layout.quantity_left_of_price
        && (q.x < p.x) == left
    {
        s += 4;
    }
    // Prices are printed with decimals, counts often without: "3  2,50".
    if q.decimals == 0 && p.decimals > 0 {
        s += 3;
    }
    // The amount stands right of the numbers it is made of.
    if a.x > q.x && a.x > p.x {
        s += 2;
    }
    // A product that gives the amount beats a discount column's leeway; a
    // stated basis is used only when the plain product does not fit.
    match basis {
        Some(0) => s += 4,
        Some(_) => s += 3,
        None => {}
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    fn cand(value: Decimal, decimals: u32, col: Col, x: f32) -> Cand {
        Cand {
            value,
            decimals,
            col,
            x,
        }
    }

    fn layout(quantity_left_of_price: Option<bool>, discount: bool) -> Layout {
        Layout {
            quantity_left_of_price,
            discount,
        }
    }

    #[test]
    fn products_to_the_cent_and_per_basis() {
        let one = Decimal::ONE;
        assert!(adds_up(dec!(3), dec!(3.3333), dec!(10.00), one));
        assert!(adds_up(dec!(-5), dec!(18.75), dec!(-93.75), one));
        assert!(!adds_up(dec!(3), dec!(2.50), dec!(7.60), one));
        assert!(adds_up(dec!(10), dec!(20.00), dec!(100.00), dec!(2)));
        assert!(adds_up(dec!(250), dec!(12.40), dec!(31.00), dec!(100)));
        assert!(!adds_up(dec!(250), dec!(12.40), dec!(31.00), Decimal::ZERO));
        // A whole price is exact: 1000 × 1 is not 1163,40.
        assert!(!adds_up(dec!(1000.0000), dec!(1), dec!(1163.40), one));
    }

    #[test]
    fn columns_decide_which_factor_is_the_quantity() {
        // Net price 10,00 left of quantity 6,00; a gross price 10,50 before.
        let nums = [
            cand(dec!(10.50), 2, Col::UnitPrice, 480.0),
            cand(dec!(10.00), 2, Col::UnitPrice, 630.0),
            cand(dec!(6.00), 2, Col::Quantity, 695.0),
            cand(dec!(60.00), 2, Col::Amount, 860.0),
        ];
        let layout = layout(Some(false), false);
        let t = choose(&nums, layout, &[]).expect("a triple");
        assert_eq!((t.quantity, t.price, t.amount), (2, 1, 3));
        assert!(t.by_columns);
    }

    #[test]
    fn header_order_decides_when_the_columns_are_blurred() {
        // Both factors fall under one wide header: the header's order holds.
        let nums = [
            cand(dec!(100.0000), 4, Col::UnitPrice, 320.0),
            cand(dec!(10), 0, Col::UnitPrice, 356.0),
            cand(dec!(1000.00), 2, Col::Amount, 550.0),
        ];
        let price_first = layout(Some(false), false);
        let t = choose(&nums, price_first, &[]).expect("a triple");
        assert_eq!((t.quantity, t.price), (1, 0));
        assert!(!t.by_columns);
        let quantity_first = layout(Some(true), false);
        let t = choose(&nums, quantity_first, &[]).expect("a triple");
        assert_eq!((t.quantity, t.price), (0, 1));
    }

    #[test]
    fn a_price_basis_is_tried_when_the_plain_product_fails() {
        let nums = [
            cand(dec!(20.00), 2, Col::UnitPrice, 630.0),
            cand(dec!(10.00), 2, Col::Quantity, 695.0),
            cand(dec!(100.00), 2, Col::Amount, 860.0),
        ];
        let layout = Layout::default();
        assert_eq!(choose(&nums, layout, &[]), None);
        let t = choose(&nums, layout, &[dec!(2)]).expect("per 2");
        assert_eq!((t.quantity, t.price, t.amount), (1, 0, 2));
    }

    #[test]
    fn a_discount_column_allows_a_smaller_amount_only_by_columns() {
        let nums = [
            cand(dec!(1), 0, Col::Quantity, 360.0),
            cand(dec!(10.00), 2, Col::UnitPrice, 450.0),
            cand(dec!(9.00), 2, Col::Amount, 510.0),
        ];
        let layout = layout(Some(true), true);
        assert!(choose(&nums, layout, &[]).is_some_and(|t| t.by_columns));
        assert_eq!(choose(&nums, Layout::default(), &[]), None);
        // A gross price beside the net one: the product that fits wins.
        let nums = [
            cand(dec!(19.50), 2, Col::UnitPrice, 480.0),
            cand(dec!(20.00), 2, Col::UnitPrice, 630.0),
            cand(dec!(10.00), 2, Col::Quantity, 695.0),
            cand(dec!(100.00), 2, Col::Amount, 860.0),
        ];
        let t = choose(&nums, layout, &[dec!(2)]).expect("a triple");
        assert_eq!(t.price, 1);
    }
}
