"""Published test vectors of sealed identities (docs/contrats.md): made with the TEST key pair
(``scellement.CLE_DE_TEST``), for partner ``lycee:0753268V``; any HPKE implementation must
open them to the documented plaintexts. The catalogue's examples use them too."""
from __future__ import annotations

from .scellement import CLE_DE_TEST, Ouvreur

PARTENAIRE = "lycee:0753268V"
#: subject addressing the synthetic élève of the examples (the INE sealed, partner pseudonym first)
SUJET = ("hpke1.b77ad2edf199a4b4479347afaf387d43."
         "rKtHWMUPAthIRe2rbOebgh-nn6FCDfK5pVMNLMZ98j1gCm5rKopebIe-APWMHiJEOOklvsaC7WdLBHw")
#: an enrolment's ``identite`` field (enc || ciphertext), hex
IDENTITE_HEX = (
    "398650c680d6105ccda607fc96803e319e594c619e2acf9a530d1886e04310149319a0ea0f60033c48f7f020e3609c"
    "cdc4739362d797565c871f5008d5bacd20bd58285929f062f8d99f8aba4eb63901971d0633fc727063c6170026f517"
    "04c743cd81d7672d242979404c2e6d3e6340f08c4a0086bebc4ab0f01da8f74d6a7351fe7c4649a00e87f1b7302658"
    "12aeba77a85f8bf7bcaac97e5e82486bcb379eb9992bd06fe8dedd077daf")
#: the plaintext sealed in ``IDENTITE_HEX``, byte for byte: a synthetic élève, read by opening the
#: vector with the TEST key, so that no identity is written in code or in a data file
IDENTITE_CLAIRE = Ouvreur([CLE_DE_TEST]).ouvrir(bytes.fromhex(IDENTITE_HEX), PARTENAIRE)
