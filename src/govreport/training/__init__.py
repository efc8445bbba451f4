"""Training the models from annotations/gold: the span NER (``spans``), the learned linker and the INDICATOR
phrase model (``links``), policies chosen by k-fold cross-validation (``crossval``) and the learning curve."""
