"""The symbolic engine: symbols and named functions, constraints, rewrite rules, the human route of
differentiation (:mod:`.calculus`), derivations as data, and their verification.

Nothing here imports the catalogue, the custom-loss language, the printers or the renderers: they
all build on the engine.
"""
