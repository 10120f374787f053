"""Dataset profiles: column maps, recodes, missing codes, derivations, design."""
