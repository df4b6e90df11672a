"""The custom-loss language: a safe parser (:mod:`.parse`, no ``eval``), the meaning of its syntax
tree in SymPy (:mod:`.meaning`), the loss it builds (:mod:`.custom`), and the outputs of
``derive custom`` (:mod:`.output`, :mod:`.module`)."""
