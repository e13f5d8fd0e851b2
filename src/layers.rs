//! Layers: writes the GeoJSON layers, mentions.jsonl and coverage. (Being written.)
