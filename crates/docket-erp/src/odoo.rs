//! The odoo adapter (to be built).
