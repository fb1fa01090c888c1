"""People who sign in. The e-mail address is the identifier (agents know
theirs; ProConnect gives it), names are shown beside the answers they
changed."""

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import connections, models


class EmailUserManager(UserManager):
    def _create_user(self, username, email, password, **extra_fields):
        email = self.normalize_email(email or username).lower()
        user = self.model(email=email, **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email=None, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(None, email, password, **extra_fields)

    def for_request(self, pk) -> "User | None":
        """The signed-in user, which every request loads (the autosave's
        too): one query written out, because building it through the ORM
        cost more than running it."""
        connection = connections[self.db]
        fields = self.model._meta.concrete_fields
        columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
        table = connection.ops.quote_name(self.model._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {columns} FROM {table} WHERE id = %s", [pk])
            row = cursor.fetchone()
        if row is None:
            return None
        return self.model.from_db(self.db, [field.attname for field in fields], row)

    def create_superuser(self, email=None, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(None, email, password, **extra_fields)


class User(AbstractUser):
    username = None
    email = models.EmailField("adresse électronique", unique=True)
    # The person's stable identifier at ProConnect (the `sub` claim).
    proconnect_sub = models.CharField(
        "identifiant ProConnect", max_length=255, unique=True, null=True, blank=True, editable=False
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = []

    objects = EmailUserManager()

    class Meta:
        verbose_name = "utilisateur"
        verbose_name_plural = "utilisateurs"
        ordering = ["last_name", "first_name", "email"]

    def __str__(self):
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.email
