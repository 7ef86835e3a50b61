<?php
define("DB_NAME", getenv_docker("WORDPRESS_DB_NAME", "wordpress"));
