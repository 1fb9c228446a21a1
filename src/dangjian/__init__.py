"""dangjian: party-building work of federations of internet social organizations."""
