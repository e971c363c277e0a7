"""Portfolio-wide computations over many loans at once (Polars / SQL), agreeing with domain/."""
