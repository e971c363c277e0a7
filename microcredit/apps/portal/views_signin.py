def _todo(request, *a, **k):
    raise NotImplementedError
signin = signin_code = signin_paper = signout = paper_codes = _todo
