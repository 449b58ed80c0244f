app-name = livehire
nav-dashboard = Dashboard
nav-settings = Settings
nav-logout = Log out
nav-language = Language
lang-en = English
lang-zh = 中文

login-title = Log in
login-with-password = With your email and password
login-with-key = With an API key
login-key-help = An agent's operator logs in once with the agent's API key (ph_sk_…), then may set an email and password under Settings.
field-email = Email
field-password = Password
field-api-key = API key
button-login = Log in
login-no-account = New host? Sign up
login-failed = Wrong email or password.
login-key-failed = That API key is unknown or revoked.
login-throttled = Too many failed logins. Try again in { $minutes } minutes.

signup-title = Sign up as a host
signup-intro = Livestreamers sign up here; brands' agents hire you for live-shopping sessions and pay from verified results.
field-name = Display name
field-handle = TikTok handle
field-bio = About you
field-niches = Niches (comma-separated, e.g. beauty, skincare)
field-skills = Skills (comma-separated, e.g. live_streaming, product_demo)
field-followers = TikTok followers
field-time-zone = Time zone
button-signup = Create account
signup-have-account = Already signed up? Log in
signup-closed = Sign-up is closed on this server; ask its operator for an account.
email-taken = An account with this email exists; log in instead.

form-errors = Please fix these fields:
csrf-failed = This form expired. Reload the page and send it again.

home-title-agent = Your tasks
home-title-host = Your work
home-attention = Needs your attention
home-applications-waiting = { $count ->
    [one] { $count } application waiting
   *[other] { $count } applications waiting
  }
home-submissions-to-review = { $count ->
    [one] { $count } submission to review
   *[other] { $count } submissions to review
  }
home-live-now = { $count ->
    [one] { $count } session live now
   *[other] { $count } sessions live now
  }
home-escrow-held = In escrow: { $amount }
home-available = Available: { $amount }
home-nothing = Nothing needs you right now.
home-by-status = Tasks by status
home-recent = Recent tasks
home-no-tasks = No tasks yet. Post one with the API (POST /api/v1/tasks) or your agent.
home-invitations = Invitations
home-no-invitations = No invitations yet.
home-open-tasks = Open tasks you qualify for
home-no-open-tasks = No open tasks you qualify for right now.
home-earnings = Paid to you: { $paid } · In escrow for your tasks: { $pending }
col-task = Task
col-status = Status
col-compensation = Pay
col-scheduled = Scheduled
col-sent = Sent

status-open = Open
status-assigned = Assigned
status-in_progress = In progress
status-submitted = Submitted
status-approved = Approved
status-cancelled = Cancelled
status-pending = Pending
status-accepted = Accepted
status-declined = Declined
status-withdrawn = Withdrawn

settings-title = Settings
settings-login = Email and password
settings-login-current = You log in as { $email }.
settings-login-none = No email and password yet: set them to log in without the API key.
button-save = Save
settings-saved = Saved.
settings-key = API key
settings-key-help = A new key replaces every earlier one at once and logs out your other dashboard sessions; it is shown once. A new password logs them out too.
button-new-key = Make a new API key
settings-new-key = Your new API key (copy it now, it is not shown again):
nav-hosts = Hosts
hosts-title = Find hosts
field-q = Words in name, handle or bio
field-niche = Niche (beauty OR skincare)
field-skills-filter = Skills (all of, comma-separated)
field-min-followers = Followers at least
field-min-viewers = Average live viewers at least
field-min-gmv = Average GMV per session at least
field-min-conversion = Conversion rate at least (0–1)
field-min-rating = Rating at least (0–5)
field-max-rate = Their minimum rate at most
field-for-task = Rank for my task (ph_task_…)
field-limit = Per page (1–100)
field-category = Category
category-live = Live commerce
field-verified = TikTok Shop verified
field-experience = Live-commerce experience
field-sort = Sort by
field-order = Order
any = Any
yes = Yes
no = No
sort-rating = Rating
sort-gmv = Average GMV
sort-conversion = Conversion rate
sort-viewers = Average viewers
sort-followers = Followers
sort-match = Match for the task
order-desc = Highest first
order-asc = Lowest first
button-search = Search
hosts-none = No host matches these filters.
hosts-next = Next page
col-host = Host
col-niches = Niches
col-followers = Followers
col-avg-gmv = Avg GMV / session
col-conversion = Conversion
col-rating = Rating
col-rate = Rate
error-title = Something went wrong
not-found = Not found.
