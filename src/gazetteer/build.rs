//! `frontmap gazetteer build`: makes `places.tsv` and `names.tsv` from open data.
//! (Being written; see gazetteer/README.md.)
