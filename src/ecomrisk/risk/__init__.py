"""Risk: rules, screening, model, network and the decision that combines them."""
