"""torch.fx.experimental: graph optimizations for inference."""
