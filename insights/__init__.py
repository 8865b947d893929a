"""What the programme yields: the dashboard's figures (pure arithmetic in ``figures``, the SQL that
feeds it in ``queries``) and a person's innovation record (``record``)."""
