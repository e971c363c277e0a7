def imports_page(r): pass
import_detail=import_status=loans_page=loan_detail=reconcile_page=run_detail=template_page=officials_page=imports_page
