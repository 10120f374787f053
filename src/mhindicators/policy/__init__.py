"""Policy tables (one record per country and period) and composite scores over them."""
