"""The risk model: trained on exam outcomes, calibrated, versioned, explained."""
