"""Part 3 case studies: ad CTR, fraud, ETA and multimodal CLIP search."""
